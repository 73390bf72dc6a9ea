//! The attribution as stored inside visit rows and call rows: the model, the credited touch and
//! both touches, each with its classification.
//!
//! Channels and source categories are stored by name (`"Paid Search"`, `"search"`): the names are
//! the reports' vocabulary (GA4's channel group names), and a name this release does not know is an
//! unreadable row, not a default.

use dni_core::attribution::{Attribution, Classified, Model};
use dni_core::classify::{Category, Channel, ClickId, Touch};
use dni_core::Millis;
use serde::{Deserialize, Serialize};

use super::RowError;

/// The attribution, version 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributionV1 {
    /// The model that picked the credited touch.
    pub model: ModelV1,
    /// The credited touch.
    pub credited: ClassifiedV1,
    /// The first touch.
    pub first: Option<ClassifiedV1>,
    /// The last non-direct touch.
    pub last: Option<ClassifiedV1>,
}

/// The attribution model, version 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelV1 {
    /// Last non-direct touch.
    LastNonDirect,
    /// First touch.
    FirstTouch,
}

/// A classified touch, version 1: the classification's fields beside the landing page and time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassifiedV1 {
    /// The classification.
    #[serde(flatten)]
    pub touch: TouchV1,
    /// The landing page.
    pub landing: String,
    /// When.
    pub at: Millis,
}

/// A classification, version 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub struct TouchV1 {
    /// GA4's channel group name.
    pub channel: String,
    pub source: String,
    pub medium: String,
    pub campaign: String,
    pub term: String,
    pub content: String,
    pub campaign_id: String,
    pub click_id: Option<ClickIdV1>,
    /// The source's category name (`search`, `social`, ...).
    pub category: Option<String>,
    pub self_referral: bool,
}

/// A click id, version 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClickIdV1 {
    /// The parameter name (`gclid`, ...).
    pub kind: String,
    /// Its value.
    pub value: String,
}

impl From<&Attribution> for AttributionV1 {
    fn from(a: &Attribution) -> Self {
        let Attribution {
            model,
            credited,
            first,
            last,
        } = a;
        AttributionV1 {
            model: match model {
                Model::LastNonDirect => ModelV1::LastNonDirect,
                Model::FirstTouch => ModelV1::FirstTouch,
            },
            credited: credited.into(),
            first: first.as_ref().map(ClassifiedV1::from),
            last: last.as_ref().map(ClassifiedV1::from),
        }
    }
}

impl AttributionV1 {
    /// The domain value; `kind` names the row it is part of, for the error.
    pub fn into_domain(self, kind: &'static str) -> Result<Attribution, RowError> {
        Ok(Attribution {
            model: match self.model {
                ModelV1::LastNonDirect => Model::LastNonDirect,
                ModelV1::FirstTouch => Model::FirstTouch,
            },
            credited: self.credited.into_domain(kind)?,
            first: self.first.map(|c| c.into_domain(kind)).transpose()?,
            last: self.last.map(|c| c.into_domain(kind)).transpose()?,
        })
    }
}

impl From<&Classified> for ClassifiedV1 {
    fn from(c: &Classified) -> Self {
        let Classified { touch, landing, at } = c;
        ClassifiedV1 {
            touch: touch.into(),
            landing: landing.clone(),
            at: *at,
        }
    }
}

impl ClassifiedV1 {
    fn into_domain(self, kind: &'static str) -> Result<Classified, RowError> {
        Ok(Classified {
            touch: self.touch.into_domain(kind)?,
            landing: self.landing,
            at: self.at,
        })
    }
}

impl From<&Touch> for TouchV1 {
    fn from(t: &Touch) -> Self {
        let Touch {
            channel,
            source,
            medium,
            campaign,
            term,
            content,
            campaign_id,
            click_id,
            category,
            self_referral,
        } = t;
        TouchV1 {
            channel: channel.as_str().to_owned(),
            source: source.clone(),
            medium: medium.clone(),
            campaign: campaign.clone(),
            term: term.clone(),
            content: content.clone(),
            campaign_id: campaign_id.clone(),
            click_id: click_id.as_ref().map(ClickIdV1::from),
            category: category.map(|c| c.as_str().to_owned()),
            self_referral: *self_referral,
        }
    }
}

impl TouchV1 {
    fn into_domain(self, kind: &'static str) -> Result<Touch, RowError> {
        Ok(Touch {
            channel: channel(kind, &self.channel)?,
            source: self.source,
            medium: self.medium,
            campaign: self.campaign,
            term: self.term,
            content: self.content,
            campaign_id: self.campaign_id,
            click_id: self.click_id.map(ClickId::from),
            category: self.category.map(|c| category(kind, c)).transpose()?,
            self_referral: self.self_referral,
        })
    }
}

impl From<&ClickId> for ClickIdV1 {
    fn from(c: &ClickId) -> Self {
        ClickIdV1 {
            kind: c.kind.clone(),
            value: c.value.clone(),
        }
    }
}

impl From<ClickIdV1> for ClickId {
    fn from(c: ClickIdV1) -> Self {
        ClickId {
            kind: c.kind,
            value: c.value,
        }
    }
}

/// A channel by its GA4 name.
pub fn channel(kind: &'static str, name: &str) -> Result<Channel, RowError> {
    Channel::parse(name).ok_or_else(|| RowError::new(kind, format!("unknown channel {name:?}")))
}

/// A source category by its name.
fn category(kind: &'static str, name: String) -> Result<Category, RowError> {
    serde_json::from_value(serde_json::Value::String(name.clone()))
        .map_err(|_| RowError::new(kind, format!("unknown source category {name:?}")))
}
