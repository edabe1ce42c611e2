//! Getting in without a password: accepting an invitation, asking for a reset link, resetting.
//! `forgot` answers the same whether or not the e-mail belongs to anyone.

use atrium_core::customer::check_password;
use atrium_core::record::now;
use atrium_core::{Error, Value};
use atrium_store::{Effects, NewActivity, NewMail, NewToken};
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::json;
use time::Duration;
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::{hash_password, new_token, token_digest};
use crate::error::{ApiResult, Problem};
use crate::extract::JsonBody;
use crate::mailing::{Kit, RESET_TTL, mail_refusal, portal_url, record_fields};
use crate::portal::auth::password_hints;
use crate::portal::context::PortalOf;

/// At most this many reset mails to one address in an hour.
pub const RESETS_PER_HOUR: u64 = 3;

#[derive(Deserialize, ToSchema)]
pub struct TokenAndPassword {
    pub token: String,
    pub password: String,
}

fn bad_link() -> Error {
    Error::field(
        "token",
        "this link is invalid, was already used or has expired",
    )
}

/// Checks the token (without using it), the password policy, then uses the token: a weak
/// password does not burn the link.
async fn take_token(
    state: &AppState,
    kind: &str,
    slug: &str,
    body: &TokenAndPassword,
) -> ApiResult<(atrium_store::mail::TokenRow, String)> {
    let digest = token_digest(body.token.trim());
    let token = state.store.token(&digest).await?.ok_or_else(bad_link)?;
    let live = token.kind == kind && token.used_at.is_none() && token.expires_at > now();
    if !live || token.portal.as_deref().is_some_and(|p| p != slug) {
        return Err(bad_link().into());
    }
    let contacts = state.store.module("contacts")?;
    let contact = state
        .store
        .get(contacts, token.contact)
        .await
        .map_err(|_| bad_link())?;
    let hints = password_hints(&contact);
    let hints: Vec<&str> = hints.iter().map(String::as_str).collect();
    check_password("password", &body.password, &hints).map_err(|e| Error::Validation(vec![e]))?;
    let token = state
        .store
        .use_token(&digest, kind)
        .await?
        .ok_or_else(bad_link)?;
    let hash = hash_password(body.password.clone()).await?;
    Ok((token, hash))
}

#[utoipa::path(post, path = "/api/v1/portal/{slug}/invitation/accept", tag = "portal", params(("slug" = String, Path)),
    request_body = TokenAndPassword,
    responses((status = 204), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn accept_invitation(
    State(state): State<AppState>,
    PortalOf(portal): PortalOf,
    JsonBody(body): JsonBody<TokenAndPassword>,
) -> ApiResult<StatusCode> {
    let (token, hash) = take_token(&state, "invitation", &portal.slug, &body).await?;
    state
        .store
        .set_portal_password(token.contact, &hash, None)
        .await?;
    state
        .store
        .add_activity(
            token.contact,
            "invitation_accepted",
            "portal",
            &format!("Chose a password for {}", portal.slug),
            None,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/portal/{slug}/password/reset", tag = "portal", params(("slug" = String, Path)),
    request_body = TokenAndPassword,
    responses((status = 204), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn reset_password(
    State(state): State<AppState>,
    PortalOf(portal): PortalOf,
    JsonBody(body): JsonBody<TokenAndPassword>,
) -> ApiResult<StatusCode> {
    let (token, hash) = take_token(&state, "password_reset", &portal.slug, &body).await?;
    // A reset ends every session of the contact.
    state
        .store
        .set_portal_password(token.contact, &hash, None)
        .await?;
    state
        .store
        .add_activity(
            token.contact,
            "password_reset",
            "portal",
            &format!("Reset the password for {}", portal.slug),
            None,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct Forgot {
    pub email: String,
}

#[utoipa::path(post, path = "/api/v1/portal/{slug}/password/forgot", tag = "portal", params(("slug" = String, Path)),
    request_body = Forgot, responses((status = 202), (status = 404, body = Problem)))]
pub async fn forgot_password(
    State(state): State<AppState>,
    PortalOf(portal): PortalOf,
    JsonBody(body): JsonBody<Forgot>,
) -> ApiResult<StatusCode> {
    let email = body.email.trim().to_lowercase();
    // The answer is the same in every case; only the work behind it differs.
    let Some(contact) = state.store.portal_contact_by_email(&email).await? else {
        return Ok(StatusCode::ACCEPTED);
    };
    let since = now() - Duration::hours(1);
    if state
        .store
        .count_recent_mails(&email, &portal.forgot_password_template, since)
        .await?
        >= RESETS_PER_HOUR
    {
        tracing::info!(contact = %contact.id, "password reset mail withheld: hourly limit reached");
        return Ok(StatusCode::ACCEPTED);
    }
    let kit = Kit::load(&state).await?;
    let permitted = atrium_core::customer::allowed_portals(&contact);
    let may_use = if permitted.is_empty() {
        portal.default
    } else {
        permitted.contains(&portal.slug)
    };
    if !may_use || mail_refusal(&kit, &contact, Some(&portal)).is_some() {
        return Ok(StatusCode::ACCEPTED);
    }
    let contacts = state.store.module("contacts")?;
    let (token, digest) = new_token();
    let link = format!(
        "{}/password/reset?token={token}",
        portal_url(&kit.base_url, &portal)
    );
    let context = json!({
        "contact": record_fields(contacts, &contact),
        "organization": serde_json::Value::Null,
        "portal": kit.portal_json(&portal),
        "company": kit.company_json(),
        "link": link,
        "support_end_date": match contact.get("support_end_date") { Value::Date(d) => json!(atrium_core::value::format_date(*d)), _ => serde_json::Value::Null },
    });
    let rendered = kit.render(&portal.forgot_password_template, &context)?;
    let effects = Effects {
        mails: vec![NewMail {
            to: email,
            subject: rendered.subject,
            text: rendered.text,
            html: rendered.html,
            template: portal.forgot_password_template.clone(),
            contact: Some(contact.id),
            ..NewMail::default()
        }],
        tokens: vec![NewToken {
            digest,
            kind: "password_reset",
            contact: contact.id,
            portal: Some(portal.slug.clone()),
            payload: None,
            ttl: RESET_TTL,
        }],
        revoke_tokens: Vec::new(),
        activity: vec![NewActivity {
            contact: contact.id,
            kind: "password_reset_requested".into(),
            source: "email".into(),
            detail: format!("Reset link for {} sent", portal.slug),
            record: None,
        }],
    };
    state
        .store
        .apply_effects(&effects)
        .await
        .map_err(|e: Error| e)?;
    Ok(StatusCode::ACCEPTED)
}
