//! A text message reaching one of our numbers, whichever carrier sent it: Twilio's Messaging
//! webhook (a form, read by [`super::twiml_form::message`]) and Telnyx's `message.received`
//! event (JSON, read by [`super::telnyx::message`]) both read into [`InboundMessage`]. What a text
//! does (attribution, conversation, forwarding) is `crate::messaging`'s.

#[allow(unused_imports)]
use crate::prelude::*;

use crate::phone::E164;

/// Longest message body accepted, in characters: what both providers deliver at most (Twilio
/// concatenates up to 1,600 characters; a longer body is not a text either sent).
pub const MAX_BODY: usize = 1600;
/// Most media a message may carry (MMS: Twilio and Telnyx deliver at most 10).
pub const MAX_MEDIA: u32 = 10;

/// A text to one of our numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundMessage {
    /// The provider's message id (Twilio `MessageSid`, Telnyx's event payload `id`): a repeated
    /// delivery carries it again.
    pub message_id: String,
    /// The sender's number.
    pub from: E164,
    /// The tracking number texted.
    pub to: E164,
    /// The text, as sent (at most [`MAX_BODY`] characters).
    pub body: String,
    /// How many pictures or other media it carried.
    pub media: u32,
}
