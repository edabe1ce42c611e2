//! Staff users and sign-in sessions. Passwords arrive here already hashed and tokens already
//! digested: the store never sees a secret in the clear.

use atrium_core::record::now;
use atrium_core::{Error, Result};
use sea_query::{Expr, ExprTrait, Order, Query};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::db::Row;
use crate::{Store, Work};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Agent,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Agent => "agent",
        }
    }

    fn parse(s: &str) -> Result<Self> {
        match s {
            "admin" => Ok(Role::Admin),
            "agent" => Ok(Role::Agent),
            other => Err(Error::Internal(format!("unknown role {other}"))),
        }
    }
}

#[derive(Debug, Clone)]
pub struct StaffUser {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub phone: Option<String>,
    pub password_hash: String,
    pub role: Role,
    pub active: bool,
}

/// Who a session belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    Staff,
    Customer,
}

impl SessionKind {
    fn as_str(self) -> &'static str {
        match self {
            SessionKind::Staff => "staff",
            SessionKind::Customer => "customer",
        }
    }
}

const USER_COLUMNS: [&str; 7] = [
    "id",
    "email",
    "name",
    "phone",
    "password_hash",
    "role",
    "active",
];

fn decode_user(row: &Row) -> Result<StaffUser> {
    Ok(StaffUser {
        id: row.get("id")?,
        email: row.get("email")?,
        name: row.get("name")?,
        phone: row.get("phone")?,
        password_hash: row.get("password_hash")?,
        role: Role::parse(&row.get::<String>("role")?)?,
        active: row.get("active")?,
    })
}

/// How long a session lives without use, and at most.
pub const SESSION_IDLE: Duration = Duration::hours(12);
pub const SESSION_LIFETIME: Duration = Duration::days(14);

impl Store {
    /// Creates a staff user, or updates name, password and role of the one with that e-mail.
    pub async fn upsert_staff_user(
        &self,
        email: &str,
        name: &str,
        password_hash: &str,
        role: Role,
    ) -> Result<StaffUser> {
        let email = email.trim().to_lowercase();
        let at = now();
        let existing = self.staff_user_by_email(&email).await?;
        match existing {
            Some(user) => {
                let update = Query::update()
                    .table("staff_users")
                    .value("name", name)
                    .value("password_hash", password_hash)
                    .value("role", role.as_str())
                    .value("active", true)
                    .value("updated_at", at)
                    .and_where(Expr::col("id").eq(user.id))
                    .take();
                self.db.execute(&update).await?;
                // A new password ends the sessions the old one opened.
                self.end_sessions(SessionKind::Staff, user.id).await?;
            }
            None => {
                let insert = Query::insert()
                    .into_table("staff_users")
                    .columns([
                        "id",
                        "email",
                        "name",
                        "password_hash",
                        "role",
                        "active",
                        "created_at",
                        "updated_at",
                    ])
                    .values_panic([
                        Uuid::now_v7().into(),
                        email.clone().into(),
                        name.into(),
                        password_hash.into(),
                        role.as_str().into(),
                        true.into(),
                        at.into(),
                        at.into(),
                    ])
                    .take();
                self.db.execute(&insert).await?;
            }
        }
        self.staff_user_by_email(&email)
            .await?
            .ok_or(Error::NotFound)
    }

    pub async fn staff_user_by_email(&self, email: &str) -> Result<Option<StaffUser>> {
        let select = Query::select()
            .columns(USER_COLUMNS)
            .from("staff_users")
            .and_where(Expr::col("email").eq(email.trim().to_lowercase()))
            .take();
        self.one_user(&select).await
    }

    pub async fn staff_user(&self, id: Uuid) -> Result<Option<StaffUser>> {
        let select = Query::select()
            .columns(USER_COLUMNS)
            .from("staff_users")
            .and_where(Expr::col("id").eq(id))
            .take();
        self.one_user(&select).await
    }

    /// The staff user assigned to record `id` of `module` (its `assigned_to`), if the record
    /// is not deleted and has one: one joined statement.
    pub async fn assignee(
        &self,
        module: &atrium_core::ModuleDef,
        id: Uuid,
    ) -> Result<Option<StaffUser>> {
        let table = module.name.clone();
        let select = Query::select()
            .columns(USER_COLUMNS.map(|c| ("staff_users", c)))
            .from(table.clone())
            .inner_join(
                "staff_users",
                Expr::col(("staff_users", "id")).equals((table.clone(), "assigned_to")),
            )
            .and_where(Expr::col((table.clone(), "id")).eq(id))
            .and_where(Expr::col((table, "deleted_at")).is_null())
            .take();
        self.one_user(&select).await
    }

    /// The staff user a statement selecting [`USER_COLUMNS`] finds, if any.
    async fn one_user(&self, select: &sea_query::SelectStatement) -> Result<Option<StaffUser>> {
        self.db
            .fetch_optional(select)
            .await?
            .as_ref()
            .map(decode_user)
            .transpose()
    }

    pub async fn staff_users(&self) -> Result<Vec<StaffUser>> {
        let select = Query::select()
            .columns(USER_COLUMNS)
            .from("staff_users")
            .order_by("name", Order::Asc)
            .take();
        self.db
            .fetch_all(&select)
            .await?
            .iter()
            .map(decode_user)
            .collect()
    }

    /// Opens a session under the digest of its token.
    /// Opens a session under the digest of its token.
    pub async fn create_session(
        &self,
        token_hash: &str,
        kind: SessionKind,
        user_id: Uuid,
    ) -> Result<()> {
        let mut work = self.work().await?;
        work.create_session(token_hash, kind, user_id).await?;
        work.commit().await
    }

    /// The owner of a live session, sliding its idle expiry forward (written at most once a
    /// minute, so reads stay reads).
    pub async fn session_user(
        &self,
        token_hash: &str,
        kind: SessionKind,
        idle: Duration,
    ) -> Result<Option<Uuid>> {
        let at = now();
        let select = Query::select()
            .columns(["user_id", "last_seen_at", "expires_at"])
            .from("sessions")
            .and_where(Expr::col("token_hash").eq(token_hash))
            .and_where(Expr::col("kind").eq(kind.as_str()))
            .take();
        let Some(row) = self.db.fetch_optional(&select).await? else {
            return Ok(None);
        };
        let last_seen: OffsetDateTime = row.get("last_seen_at")?;
        let expires: OffsetDateTime = row.get("expires_at")?;
        if at >= expires || at - last_seen >= idle {
            self.end_session(token_hash).await?;
            return Ok(None);
        }
        if at - last_seen >= Duration::minutes(1) {
            let touch = Query::update()
                .table("sessions")
                .value("last_seen_at", at)
                .and_where(Expr::col("token_hash").eq(token_hash))
                .take();
            self.db.execute(&touch).await?;
        }
        Ok(Some(row.get("user_id")?))
    }

    pub async fn end_session(&self, token_hash: &str) -> Result<()> {
        let mut work = self.work().await?;
        work.end_session(token_hash).await?;
        work.commit().await
    }

    pub async fn end_sessions(&self, kind: SessionKind, user_id: Uuid) -> Result<()> {
        let mut work = self.work().await?;
        work.end_sessions(kind, user_id).await?;
        work.commit().await
    }
}

/// What an admin may change on a staff user; `None` leaves a value as it is.
#[derive(Debug, Default, Clone)]
pub struct StaffUserChanges {
    pub name: Option<String>,
    pub phone: Option<Option<String>>,
    pub role: Option<Role>,
    pub active: Option<bool>,
    pub password_hash: Option<String>,
}

impl Store {
    /// Creates a staff user; an e-mail already in use is a conflict.
    pub async fn create_staff_user(
        &self,
        email: &str,
        name: &str,
        phone: Option<&str>,
        password_hash: &str,
        role: Role,
    ) -> Result<StaffUser> {
        let email = email.trim().to_lowercase();
        let at = now();
        let insert = Query::insert()
            .into_table("staff_users")
            .columns([
                "id",
                "email",
                "name",
                "phone",
                "password_hash",
                "role",
                "active",
                "created_at",
                "updated_at",
            ])
            .values_panic([
                Uuid::now_v7().into(),
                email.clone().into(),
                name.into(),
                phone.map(str::to_owned).into(),
                password_hash.into(),
                role.as_str().into(),
                true.into(),
                at.into(),
                at.into(),
            ])
            .take();
        self.db.execute(&insert).await.map_err(|e| match e {
            Error::Conflict(_) => Error::Conflict("staff user with this e-mail".into()),
            other => other,
        })?;
        self.staff_user_by_email(&email)
            .await?
            .ok_or(Error::NotFound)
    }

    /// Changes a staff user. Deactivating or a new password ends their sessions.
    pub async fn update_staff_user(
        &self,
        id: Uuid,
        changes: StaffUserChanges,
    ) -> Result<StaffUser> {
        let mut update = Query::update();
        update.table("staff_users").value("updated_at", now());
        if let Some(name) = &changes.name {
            update.value("name", name.as_str());
        }
        if let Some(phone) = &changes.phone {
            update.value("phone", phone.clone());
        }
        if let Some(role) = changes.role {
            update.value("role", role.as_str());
        }
        if let Some(active) = changes.active {
            update.value("active", active);
        }
        if let Some(hash) = &changes.password_hash {
            update.value("password_hash", hash.as_str());
        }
        update.and_where(Expr::col("id").eq(id));
        if self.db.execute(&update).await? == 0 {
            return Err(Error::NotFound);
        }
        if changes.active == Some(false) || changes.password_hash.is_some() {
            self.end_sessions(SessionKind::Staff, id).await?;
        }
        self.staff_user(id).await?.ok_or(Error::NotFound)
    }
}

impl Work<'_> {
    /// Opens a session under the digest of its token.
    pub async fn create_session(
        &mut self,
        token_hash: &str,
        kind: SessionKind,
        user_id: Uuid,
    ) -> Result<()> {
        self.tx
            .execute(&session_insert(token_hash, kind, user_id, None))
            .await?;
        Ok(())
    }

    pub async fn end_session(&mut self, token_hash: &str) -> Result<()> {
        let delete = Query::delete()
            .from_table("sessions")
            .and_where(Expr::col("token_hash").eq(token_hash))
            .take();
        self.tx.execute(&delete).await?;
        Ok(())
    }

    pub async fn end_sessions(&mut self, kind: SessionKind, user_id: Uuid) -> Result<()> {
        let delete = Query::delete()
            .from_table("sessions")
            .and_where(Expr::col("kind").eq(kind.as_str()))
            .and_where(Expr::col("user_id").eq(user_id))
            .take();
        self.tx.execute(&delete).await?;
        Ok(())
    }
}

/// The row of a new session; a customer's session is bound to one portal.
pub(crate) fn session_insert(
    token_hash: &str,
    kind: SessionKind,
    user_id: Uuid,
    portal: Option<&str>,
) -> sea_query::InsertStatement {
    let at = now();
    Query::insert()
        .into_table("sessions")
        .columns([
            "token_hash",
            "kind",
            "user_id",
            "portal",
            "created_at",
            "last_seen_at",
            "expires_at",
        ])
        .values_panic([
            token_hash.into(),
            kind.as_str().into(),
            user_id.into(),
            portal.into(),
            at.into(),
            at.into(),
            (at + SESSION_LIFETIME).into(),
        ])
        .take()
}
