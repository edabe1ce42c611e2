//! Document files on the staff side: upload (type sniffed from the bytes, size limited,
//! hashed) and the stored file of a document.

use atrium_core::value::FileInfo;
use atrium_core::{Error, RecordId, Result, Value};
use atrium_store::{Actor, Upload};

use super::Staff;
use crate::App;

const DOCUMENTS: &str = "documents";
const FILE_FIELD: &str = "file";

impl App {
    /// Stores `upload` as the file of document `id`; returns the file field as JSON.
    pub async fn upload_document_file(
        &self,
        staff: &Staff,
        id: &str,
        upload: Upload,
    ) -> Result<serde_json::Value> {
        let module = self.store.module(DOCUMENTS)?;
        let id = RecordId::parse(id)?.0;
        if !self.store.exists(module, id).await? {
            return Err(Error::NotFound);
        }
        let info = self
            .store
            .set_file(module, id, FILE_FIELD, upload, Actor::Staff(staff.user.id))
            .await?;
        let field = module.field(FILE_FIELD).ok_or(Error::NotFound)?;
        Ok(Value::File(info).to_json(field))
    }

    /// The stored file of document `id`.
    pub async fn document_file(&self, id: &str) -> Result<FileInfo> {
        let module = self.store.module(DOCUMENTS)?;
        let record = self.store.get(module, RecordId::parse(id)?.0).await?;
        match record.get(FILE_FIELD) {
            Value::File(info) => Ok(info.clone()),
            _ => Err(Error::NotFound),
        }
    }
}
