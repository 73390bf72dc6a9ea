#!/usr/bin/env python3
"""Checks what we send to the ad platforms with the platforms' own libraries (pinned in
scripts/setup, installed into .venv).

Usage: ads_check.py CAPTURED.json

CAPTURED holds what the capture servers received and what the test knows:
  {"data_manager": [{"body": "<events:ingest body>", "caller": "+1..."}],
   "meta": [{"body": "<events body>", "caller": "+1...", "fbp": "...",
             "fbclid": "..." or null, "first_seen": <ms> or null}],
   "adjustments": [{"url": "/v24/customers/<id>:uploadConversionAdjustments",
                    "body": "<body>", "order_id": "<the call id>"}]}

- Google: every body is decoded with google-ads-datamanager's own IngestEventsRequest, which
  refuses a field it does not know; the fields a conversion needs must be set; a hashed caller
  number must equal google-ads-datamanager-util's processing of the caller's number. The shared
  table crates/core/data/phone-hashes.tsv (numbers written every way) is recomputed with the
  same library.
- Meta: see check_meta.
- Google Ads' legacy API: every conversion adjustment body is decoded with google-ads' own
  UploadConversionAdjustmentsRequest of the API version in its path, which refuses a field it does
  not know or an unknown enum value; it must be one RETRACTION of the conversion the upload sent
  (its order id), with partial failure on and no value.

Prints one line per request checked; exits 1 naming every failure."""
import importlib
import json
import re
import sys
from pathlib import Path

from google.ads.datamanager_util.format import Encoding, Formatter
from google.ads.datamanager_v1.types import IngestEventsRequest
from google.ads.datamanager_v1.types.event import EventSource

ROOT = Path(__file__).resolve().parent.parent
FORMATTER = Formatter()


def google_hash(number):
    return FORMATTER.process_phone_number(number, Encoding.HEX)


def check_phone_table(failures):
    rows = 0
    for line in (ROOT / "crates/core/data/phone-hashes.tsv").read_text().splitlines():
        if not line or line.startswith("#"):
            continue
        written, want = line.split("\t")
        got = google_hash(written)
        if got != want:
            failures.append(f"phone table: {written!r}: library {got}, table {want}")
        rows += 1
    if rows < 10:
        failures.append(f"phone table: only {rows} rows")
    print(f"phone table: {rows} numbers hashed as google-ads-datamanager-util hashes them")


def check_data_manager(item, failures):
    where = "data manager"
    try:
        req = IngestEventsRequest.from_json(item["body"], ignore_unknown_fields=False)
    except Exception as e:  # the library's refusal: an unknown field or a wrong type
        failures.append(f"{where}: IngestEventsRequest refuses it: {e}")
        return
    problems = []
    if len(req.destinations) != 1:
        problems.append("one destination")
    for d in req.destinations:
        if not d.operating_account.account_id or d.operating_account.account_type.name != "GOOGLE_ADS":
            problems.append("operating_account")
        if not d.product_destination_id:
            problems.append("product_destination_id (the conversion action)")
    if len(req.events) != 1:
        problems.append("one event")
    for e in req.events:
        if not e.transaction_id:
            problems.append("transaction_id")
        if not e.event_timestamp:
            problems.append("event_timestamp")
        if e.event_source != EventSource.PHONE:
            problems.append(f"event_source {e.event_source}")
        if not e.currency or e.conversion_value <= 0:
            problems.append("currency and conversion_value")
        ids = [k for k in ("gclid", "gbraid", "wbraid") if getattr(e.ad_identifiers, k)]
        phones = [u.phone_number for u in e.user_data.user_identifiers if u.phone_number]
        if len(ids) + (1 if phones else 0) != 1:
            problems.append(f"one click id or the hashed number, got {ids} {len(phones)}")
        if phones:
            want = google_hash(item["caller"])
            if phones != [want]:
                problems.append(f"hashed number {phones} is not the library's {want}")
            if req.encoding.name != "HEX":
                problems.append("encoding HEX")
    if problems:
        failures.append(f"{where}: " + "; ".join(problems))
    print(f"{where}: {len(req.events)} event(s) decoded by IngestEventsRequest")


def check_adjustment(item, failures):
    where = "adjustment"
    m = re.match(r"^/(v\d+)/customers/(\d{10}):uploadConversionAdjustments$", item["url"])
    if not m:
        failures.append(f"{where}: path {item['url']}")
        return
    version, customer = m.groups()
    svc = importlib.import_module(
        f"google.ads.googleads.{version}.services.types.conversion_adjustment_upload_service"
    )
    kinds = importlib.import_module(
        f"google.ads.googleads.{version}.enums.types.conversion_adjustment_type"
    ).ConversionAdjustmentTypeEnum.ConversionAdjustmentType
    try:
        req = svc.UploadConversionAdjustmentsRequest.from_json(
            item["body"], ignore_unknown_fields=False
        )
    except Exception as e:  # the library's refusal: an unknown field, a wrong type or enum value
        failures.append(f"{where}: UploadConversionAdjustmentsRequest refuses it: {e}")
        return
    problems = []
    if not req.partial_failure:
        problems.append("partial_failure")
    if len(req.conversion_adjustments) != 1:
        problems.append("one adjustment")
    for a in req.conversion_adjustments:
        pb = svc.ConversionAdjustment.pb(a)
        if a.adjustment_type != kinds.RETRACTION:
            problems.append(f"adjustment_type {a.adjustment_type}")
        if a.order_id != item["order_id"]:
            problems.append(f"order_id {a.order_id!r}, not the upload's {item['order_id']!r}")
        if not re.match(rf"^customers/{customer}/conversionActions/\d+$", a.conversion_action):
            problems.append(f"conversion_action {a.conversion_action}")
        if pb.HasField("restatement_value"):
            problems.append("a retraction with a value")
        if pb.HasField("gclid_date_time_pair"):
            problems.append("gclid_date_time_pair: the conversion had an order id, which must be used")
        if not re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d[+-]\d\d:\d\d$", a.adjustment_date_time):
            problems.append(f"adjustment_date_time {a.adjustment_date_time!r}")
    if problems:
        failures.append(f"{where}: " + "; ".join(problems))
    print(
        f"{where}: {len(req.conversion_adjustments)} RETRACTION decoded by "
        f"UploadConversionAdjustmentsRequest ({version})"
    )


def fbc_of(fbclid, first_seen):
    """Meta's click id parameter as Meta's documentation builds it from what the test set up:
    version `fb`, subdomain index 1 (the site's own domain), the time the fbclid was first seen in
    milliseconds, the fbclid as it was in the landing URL."""
    if not fbclid:
        return None
    return f"fb.1.{int(first_seen)}.{fbclid}"


def check_meta(item, failures):
    """Builds the same event with Meta's SDK (ServerEvent, UserData and CustomData normalize and
    hash) from what the test knows (the caller's number in clear, fbp, and fbc rebuilt from the
    visit's fbclid and when it was first seen, never read from our body) and compares it with the
    event we sent, field by field."""
    from facebook_business.adobjects.serverside.action_source import ActionSource
    from facebook_business.adobjects.serverside.custom_data import CustomData
    from facebook_business.adobjects.serverside.event import Event
    from facebook_business.adobjects.serverside.event_request import EventRequest
    from facebook_business.adobjects.serverside.user_data import UserData

    where = "meta"
    body = json.loads(item["body"])
    ours = body["data"][0]
    sent_user = ours.get("user_data", {})
    user = UserData(
        fbc=fbc_of(item.get("fbclid"), item.get("first_seen")),
        fbp=sent_user.get("fbp") and item.get("fbp"),
        phones=[item["caller"]] if "ph" in sent_user else None,
    )
    event = Event(
        event_name=ours["event_name"],
        event_time=ours["event_time"],
        event_id=ours["event_id"],
        action_source=ActionSource.PHONE_CALL,
        user_data=user,
        custom_data=CustomData(
            value=item["value"], currency=item["currency"]
        ),
    )
    request = EventRequest(
        pixel_id=item["dataset"], events=[event], test_event_code=body.get("test_event_code")
    )
    params = request.get_params()
    theirs = json.loads(params["data"][0])
    keys = sorted(set(theirs) | set(ours))
    for k in keys:
        if theirs.get(k) != ours.get(k):
            failures.append(f"{where} {ours.get('event_id')}: {k}: ours {ours.get(k)!r}, SDK {theirs.get(k)!r}")
    if params.get("test_event_code") != body.get("test_event_code"):
        failures.append(f"{where}: test_event_code")
    for k in set(body) - {"data", "test_event_code"}:
        failures.append(f"{where}: request field {k} the SDK does not write")
    print(f"{where} {ours.get('event_id')}: equal to the SDK's event ({', '.join(sorted(sent_user))})")


def main(path):
    captured = json.loads(Path(path).read_text())
    failures = []
    check_phone_table(failures)
    for item in captured.get("data_manager", []):
        check_data_manager(item, failures)
    if not captured.get("data_manager"):
        failures.append("no Data Manager request to check")
    for item in captured.get("meta", []):
        check_meta(item, failures)
    if "meta" in captured and not captured["meta"]:
        failures.append("no Meta request to check")
    for item in captured.get("adjustments", []):
        check_adjustment(item, failures)
    if "adjustments" in captured and not captured["adjustments"]:
        failures.append("no conversion adjustment to check")
    for f in failures:
        print("FAIL", f)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main(sys.argv[1])
