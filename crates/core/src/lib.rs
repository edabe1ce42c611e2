//! Atrium's domain layer: module and field metadata, typed record values, input validation,
//! markdown rendering and the error type every layer speaks.
//!
//! Invariant: nothing here knows about HTTP or SQL; the store and the web layer translate.

pub mod access;
pub mod audience;
pub mod company;
pub mod customer;
pub mod error;
pub mod grid;
pub mod kinds;
pub mod markdown;
pub mod metadata;
pub mod money;
pub mod portal;
pub mod query;
pub mod record;
pub mod rules;
pub mod standard;
pub mod templates;
pub mod validate;
pub mod value;

pub use error::{Error, FieldError, Result};
pub use metadata::{FieldDef, FieldType, ModuleDef, PicklistValue, Registry};
pub use record::{Record, RecordId};
pub use value::Value;
