//! Document bytes live in an object store — a local directory, or an S3-compatible bucket that
//! several instances share — under keys the database records; the database never holds file
//! contents.

use std::sync::Arc;

use atrium_core::value::FileInfo;
use atrium_core::{Error, ModuleDef, Result, Value};
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::Store;
use crate::records::Actor;

#[derive(Debug, Clone)]
pub struct Files {
    store: Arc<dyn ObjectStore>,
}

impl Files {
    /// Opens the store named by `url`: `file:///path` (created if missing), or `s3://bucket`
    /// with the usual AWS variables (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
    /// `AWS_REGION`, and `AWS_ENDPOINT` for an S3-compatible server — `AWS_ALLOW_HTTP=true`
    /// when it speaks plain http).
    pub fn open(url: &str) -> anyhow::Result<Self> {
        let store: Arc<dyn ObjectStore> = if let Some(path) = url.strip_prefix("file://") {
            std::fs::create_dir_all(path)?;
            Arc::new(LocalFileSystem::new_with_prefix(path)?)
        } else if url.starts_with("s3://") {
            Arc::new(
                AmazonS3Builder::from_env()
                    .with_url(url)
                    .build()
                    .map_err(|e| anyhow::anyhow!("ATRIUM_STORAGE_URL {url}: {e}"))?,
            )
        } else {
            anyhow::bail!("ATRIUM_STORAGE_URL must be file://PATH or s3://BUCKET")
        };
        Ok(Self { store })
    }

    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<()> {
        self.store
            .put(&Path::from(key), PutPayload::from(bytes))
            .await
            .map(drop)
            .map_err(Error::internal)
    }

    pub async fn get(&self, key: &str) -> Result<object_store::GetResult> {
        self.store.get(&Path::from(key)).await.map_err(|e| match e {
            object_store::Error::NotFound { .. } => Error::NotFound,
            other => Error::internal(other),
        })
    }

    pub async fn delete(&self, key: &str) -> Result<()> {
        self.store
            .delete(&Path::from(key))
            .await
            .map_err(Error::internal)
    }
}

/// A file as uploaded: the client's name for it, the bytes, and the type sniffed from them.
pub struct Upload {
    pub name: String,
    pub mime_type: String,
    pub bytes: Vec<u8>,
}

impl Store {
    /// Stores `upload` as the file of document `id`, replacing any earlier file. If the record
    /// cannot be updated, the new object is removed again; the old one is removed only after
    /// the record points at the new one.
    pub async fn set_file(
        &self,
        module: &ModuleDef,
        id: Uuid,
        field: &str,
        upload: Upload,
        actor: Actor,
    ) -> Result<FileInfo> {
        let before = self.get(module, id).await?;
        let key = format!("{}/{}/{}", module.name, id, Uuid::now_v7());
        let info = FileInfo {
            name: upload.name,
            size: upload.bytes.len() as i64,
            mime_type: upload.mime_type,
            sha256: hex(&Sha256::digest(&upload.bytes)),
            key: key.clone(),
        };
        self.files.put(&key, upload.bytes).await?;
        let changes = vec![(field.to_owned(), Value::File(info.clone()))];
        if let Err(err) = self.update(module, id, changes, actor, None).await {
            if let Err(cleanup) = self.files.delete(&key).await {
                tracing::warn!(%key, error = %cleanup, "could not remove the object of a failed upload");
            }
            return Err(err);
        }
        if let Value::File(old) = before.get(field)
            && let Err(err) = self.files.delete(&old.key).await
        {
            tracing::warn!(key = %old.key, error = %err, "could not remove a replaced file");
        }
        Ok(info)
    }

    /// Stores an upload under a new key of `module` before its record exists; the caller
    /// records the returned descriptor, or calls [`Store::discard_file`] if that fails.
    pub async fn put_file(&self, module: &str, upload: Upload) -> Result<(String, FileInfo)> {
        let key = format!("{module}/{}", Uuid::now_v7());
        let info = FileInfo {
            name: upload.name,
            size: upload.bytes.len() as i64,
            mime_type: upload.mime_type,
            sha256: hex(&Sha256::digest(&upload.bytes)),
            key: key.clone(),
        };
        self.files.put(&key, upload.bytes).await?;
        Ok((key, info))
    }

    /// Removes an object whose record was never written (best effort, logged).
    pub async fn discard_file(&self, key: &str) {
        if let Err(err) = self.files.delete(key).await {
            tracing::warn!(%key, error = %err, "could not remove the object of a failed upload");
        }
    }

    pub fn files(&self) -> &Files {
        &self.files
    }
}

/// The MIME type of `bytes`, from their content, never from what the client claims. Text that
/// is not a known binary format is plain text.
pub fn sniff_mime(bytes: &[u8]) -> String {
    if let Some(kind) = infer::get(bytes) {
        return kind.mime_type().to_owned();
    }
    if std::str::from_utf8(bytes).is_ok() {
        "text/plain; charset=utf-8".to_owned()
    } else {
        "application/octet-stream".to_owned()
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
