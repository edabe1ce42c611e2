//! Admin actions: portals, portal roles, company details and logo, e-mail templates and
//! settings, the outbox, staff users, and contacts' activity timelines.
//!
//! Every admin action takes the acting [`Staff`](crate::staff::Staff) and refuses anyone who is
//! not an admin, so the rule holds whichever front end calls it.

pub mod activity;
pub mod company;
pub mod mail;
pub mod outbox;
pub mod portals;
pub mod roles;
pub mod templates;
pub mod users;

use atrium_core::{Error, FieldError, Result};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Deserializes a JSON document into `T`, turning every problem into a 422 naming its place
/// (`modules[0].fields.title`) rather than a 400, so that an admin editing a large document
/// sees where it is wrong; a body that is not an object is a 400.
pub(crate) fn from_document<T: DeserializeOwned>(body: Value) -> Result<T> {
    if !body.is_object() {
        return Err(Error::BadRequest("the body must be a JSON object".into()));
    }
    serde_path_to_error::deserialize::<_, T>(body).map_err(|err| {
        let mut place = String::new();
        for segment in err.path().iter() {
            use serde_path_to_error::Segment;
            match segment {
                Segment::Seq { index } => place.push_str(&format!("[{index}]")),
                Segment::Map { key } | Segment::Enum { variant: key } => {
                    if !place.is_empty() {
                        place.push('.');
                    }
                    place.push_str(key);
                }
                Segment::Unknown => {}
            }
        }
        let message = err.inner().to_string();
        // An unknown key is reported at its parent: name the key itself.
        if let Some((key, expected)) = message
            .strip_prefix("unknown field `")
            .and_then(|rest| rest.split_once('`'))
        {
            if !(place == key || place.ends_with(&format!(".{key}"))) {
                if !place.is_empty() {
                    place.push('.');
                }
                place.push_str(key);
            }
            return Error::field(place, format!("unknown key{expected}"));
        }
        // A missing key is reported at its parent: name the key itself.
        if let Some(key) = message
            .strip_prefix("missing field `")
            .and_then(|rest| rest.split('`').next())
        {
            if !place.is_empty() {
                place.push('.');
            }
            place.push_str(key);
            return Error::field(place, "required");
        }
        let message = message
            .split(" at line ")
            .next()
            .unwrap_or_default()
            .to_owned();
        Error::field(if place.is_empty() { "body" } else { &place }, message)
    })
}

/// All the problems of a document at once, as one 422; none is success.
pub(crate) fn validation(errors: Vec<FieldError>) -> Result<()> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Validation(errors))
    }
}

// Keep the JSON helper honest: the portal and role documents are what the domain serializes.
#[cfg(test)]
mod tests {
    use atrium_core::portal::Portal;
    use serde_json::json;

    use super::*;

    #[test]
    fn errors_name_the_place() {
        let mut body = serde_json::to_value(Portal::default_portal()).expect("json");
        body["modules"][0]["fields"]["title"] = json!("sometimes");
        let Err(Error::Validation(errors)) = from_document::<Portal>(body) else {
            panic!("expected a validation error");
        };
        assert_eq!(errors[0].field, "modules[0].fields.title");

        let Err(Error::Validation(errors)) = from_document::<Portal>(json!({"slug": "x"})) else {
            panic!("expected a validation error");
        };
        assert_eq!(errors[0].field, "name");

        let Err(Error::Validation(errors)) =
            from_document::<Portal>(json!({"slug": "x", "name": "X", "colour": 1}))
        else {
            panic!("expected a validation error");
        };
        assert_eq!(errors[0].field, "colour");

        let Err(Error::Validation(errors)) =
            from_document::<Portal>(json!({"slug": "x", "name": "X", "session_idle_minutes": "a"}))
        else {
            panic!("expected a validation error");
        };
        assert_eq!(errors[0].field, "session_idle_minutes");

        assert!(matches!(
            from_document::<Portal>(json!([1])),
            Err(Error::BadRequest(_))
        ));
    }
}
