/work/wt/integ/fuzz/target/debug/deps/twilio_form-e34c3469ea710026.d: fuzz_targets/twilio_form.rs

/work/wt/integ/fuzz/target/debug/deps/libtwilio_form-e34c3469ea710026.rmeta: fuzz_targets/twilio_form.rs

fuzz_targets/twilio_form.rs:
