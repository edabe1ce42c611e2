//! E-mail templates: the five Atrium sends, their good-looking defaults, checking an edited
//! template (syntax, and merge fields that exist — each problem with its line), and rendering
//! with minijinja in a sandbox (HTML auto-escaped, CPU bounded by fuel).

use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::error::FieldError;
use crate::metadata::Registry;

pub const NAMES: [&str; 5] = [
    "portal_invitation",
    "portal_password_reset",
    "support_ending",
    "record_updated",
    "staff_customer_activity",
];

/// The merge fields every template may use.
pub const MERGE_FIELDS: [&str; 8] = [
    "contact",
    "organization",
    "portal",
    "company",
    "record",
    "comment",
    "link",
    "support_end_date",
];

const PORTAL_KEYS: [&str; 5] = ["name", "title", "slug", "url", "default"];
const COMPANY_KEYS: [&str; 7] = [
    "name",
    "address",
    "email",
    "phone",
    "time_zone",
    "accent_color",
    "logo_url",
];
const COMMENT_KEYS: [&str; 4] = ["body", "author", "created_at", "internal"];
const RECORD_EXTRA_KEYS: [&str; 7] = [
    "id",
    "number",
    "label",
    "module",
    "module_label",
    "url",
    "changes",
];

/// Renders at most this much work per template, so an edited template cannot spin.
const FUEL: u64 = 50_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    pub subject: String,
    pub body_html: String,
    pub body_text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub html: String,
    pub text: String,
}

/// A template's name: one of [`NAMES`], or its variant in another language than English
/// (`portal_invitation.de`).
pub fn is_name(name: &str) -> bool {
    match name.split_once('.') {
        None => NAMES.contains(&name),
        Some((base, language)) => {
            NAMES.contains(&base)
                && language != "en"
                && crate::company::LANGUAGES.contains(&language)
        }
    }
}

/// The name of `name`'s variant in `language` (English is the plain name).
pub fn name_in(name: &str, language: &str) -> String {
    if language == "en" {
        name.to_owned()
    } else {
        format!("{name}.{language}")
    }
}

fn layout(accent_heading: &str, body: &str) -> String {
    format!(
        r#"<!doctype html>
<html><body style="margin:0;padding:24px;background:#f1f3f5;font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#212529">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center">
<table role="presentation" width="560" cellpadding="0" cellspacing="0" style="max-width:560px;background:#ffffff;border-radius:8px;overflow:hidden">
<tr><td style="background:{{{{ company.accent_color }}}};color:#ffffff;padding:16px 24px;font-size:18px;font-weight:600">{{{{ company.name }}}}</td></tr>
<tr><td style="padding:24px;font-size:15px;line-height:1.5">
<h1 style="font-size:20px;margin:0 0 16px">{accent_heading}</h1>
{body}
</td></tr>
<tr><td style="padding:16px 24px;font-size:12px;color:#868e96;border-top:1px solid #e9ecef">{{{{ company.name }}}}{{% if company.address %}} · {{{{ company.address }}}}{{% endif %}}{{% if company.email %}} · {{{{ company.email }}}}{{% endif %}}</td></tr>
</table></td></tr></table>
</body></html>
"#
    )
}

fn button(label: &str) -> String {
    format!(
        r#"<p style="margin:24px 0"><a href="{{{{ link }}}}" style="background:{{{{ company.accent_color }}}};color:#ffffff;text-decoration:none;padding:12px 20px;border-radius:6px;display:inline-block;font-weight:600">{label}</a></p>
<p style="font-size:13px;color:#868e96">Or copy this link into your browser:<br>{{{{ link }}}}</p>"#
    )
}

/// The template Atrium ships with for `name` in `language`, if it ships one in that language
/// (English always; German for the mails customers get).
pub fn default_template_in(name: &str, language: &str) -> Option<Template> {
    match language {
        "en" => default_template(name),
        "de" => german(name),
        _ => None,
    }
}

fn german(name: &str) -> Option<Template> {
    let t = |subject: &str, html: String, text: &str| Template {
        subject: subject.to_owned(),
        body_html: html,
        body_text: text.to_owned(),
    };
    Some(match name {
        "portal_invitation" => t(
            "Ihr Zugang zu {{ portal.title }}",
            layout(
                "Willkommen, {{ contact.first_name or contact.last_name }}",
                &format!(
                    "<p>{{{{ company.name }}}} hat Ihnen Zugang zu <strong>{{{{ portal.title }}}}</strong> gegeben. Dort verfolgen Sie Ihre Anfragen, lesen unsere Antworten und teilen Dokumente mit uns.</p>\n<p>Wählen Sie Ihr Passwort, um zu beginnen. Der Link gilt einmal und 7 Tage lang.</p>\n{}",
                    button("Passwort wählen")
                ),
            ),
            "Willkommen, {{ contact.first_name or contact.last_name }}\n\n{{ company.name }} hat Ihnen Zugang zu {{ portal.title }} gegeben. Dort verfolgen Sie Ihre Anfragen, lesen unsere Antworten und teilen Dokumente mit uns.\n\nWählen Sie Ihr Passwort, um zu beginnen (der Link gilt einmal und 7 Tage lang):\n{{ link }}\n\n{{ company.name }}\n",
        ),
        "portal_password_reset" => t(
            "Passwort für {{ portal.title }} zurücksetzen",
            layout(
                "Passwort zurücksetzen",
                &format!(
                    "<p>Jemand möchte das Passwort Ihres Kontos bei <strong>{{{{ portal.title }}}}</strong> zurücksetzen. Wenn Sie es waren, wählen Sie ein neues; der Link gilt einmal und eine Stunde lang.</p>\n{}\n<p>Wenn nicht, ignorieren Sie diese E-Mail: Ihr Passwort bleibt, wie es ist.</p>",
                    button("Neues Passwort wählen")
                ),
            ),
            "Passwort zurücksetzen\n\nJemand möchte das Passwort Ihres Kontos bei {{ portal.title }} zurücksetzen. Wenn Sie es waren, wählen Sie ein neues (der Link gilt einmal und eine Stunde lang):\n{{ link }}\n\nWenn nicht, ignorieren Sie diese E-Mail: Ihr Passwort bleibt, wie es ist.\n\n{{ company.name }}\n",
        ),
        "support_ending" => t(
            "Ihr Support endet am {{ support_end_date }}",
            layout(
                "Ihr Support endet am {{ support_end_date }}",
                &format!(
                    "<p>Hallo {{{{ contact.first_name or contact.last_name }}}},</p>\n<p>Ihr Support bei {{{{ company.name }}}} endet am <strong>{{{{ support_end_date }}}}</strong>. Danach können Sie sich nicht mehr bei {{{{ portal.title }}}} anmelden. Sprechen Sie uns an, um ihn zu verlängern.</p>\n{}",
                    button("Portal öffnen")
                ),
            ),
            "Hallo {{ contact.first_name or contact.last_name }},\n\nIhr Support bei {{ company.name }} endet am {{ support_end_date }}. Danach können Sie sich nicht mehr bei {{ portal.title }} anmelden. Sprechen Sie uns an, um ihn zu verlängern.\n\n{{ link }}\n\n{{ company.name }}\n",
        ),
        "record_updated" => t(
            "Neues zu {{ record.number }}: {{ record.label }}",
            layout(
                "{{ record.module_label }} {{ record.number }} wurde geändert",
                &format!(
                    "<p><strong>{{{{ record.label }}}}</strong></p>\n<ul style=\"padding-left:18px\">{{% for change in record.changes %}}<li>{{{{ change }}}}</li>{{% endfor %}}</ul>\n{{% if comment %}}<blockquote style=\"margin:16px 0;padding:8px 16px;border-left:4px solid #dee2e6;color:#495057\">{{{{ comment.body }}}}<br><small>— {{{{ comment.author }}}}</small></blockquote>{{% endif %}}\n{}\n<p style=\"font-size:12px;color:#868e96\">Sie erhalten diese E-Mails, weil Sie diesem Eintrag folgen. Sie können sie in Ihrem Profil abbestellen.</p>",
                    button("Im Portal ansehen")
                ),
            ),
            "{{ record.module_label }} {{ record.number }} wurde geändert: {{ record.label }}\n\n{% for change in record.changes %}- {{ change }}\n{% endfor %}{% if comment %}\n{{ comment.author }} schrieb:\n{{ comment.body }}\n{% endif %}\nIm Portal ansehen: {{ link }}\n\nSie erhalten diese E-Mails, weil Sie diesem Eintrag folgen; Sie können sie in Ihrem Profil abbestellen.\n",
        ),
        _ => return None,
    })
}

/// The templates Atrium ships with.
pub fn default_template(name: &str) -> Option<Template> {
    let t = |subject: &str, html: String, text: &str| Template {
        subject: subject.to_owned(),
        body_html: html,
        body_text: text.to_owned(),
    };
    Some(match name {
        "portal_invitation" => t(
            "Your access to {{ portal.title }}",
            layout(
                "Welcome, {{ contact.first_name or contact.last_name }}",
                &format!(
                    "<p>{{{{ company.name }}}} has given you access to <strong>{{{{ portal.title }}}}</strong>, where you can follow your cases, read our answers and share documents with us.</p>\n<p>Choose your password to get started. The link works once and for 7 days.</p>\n{}",
                    button("Choose my password")
                ),
            ),
            "Welcome, {{ contact.first_name or contact.last_name }}\n\n{{ company.name }} has given you access to {{ portal.title }}, where you can follow your cases, read our answers and share documents with us.\n\nChoose your password to get started (the link works once and for 7 days):\n{{ link }}\n\n{{ company.name }}\n",
        ),
        "portal_password_reset" => t(
            "Reset your password for {{ portal.title }}",
            layout(
                "Reset your password",
                &format!(
                    "<p>Someone asked to reset the password of your account on <strong>{{{{ portal.title }}}}</strong>. If it was you, choose a new one; the link works once and for one hour.</p>\n{}\n<p>If it was not you, ignore this e-mail: your password stays as it is.</p>",
                    button("Choose a new password")
                ),
            ),
            "Reset your password\n\nSomeone asked to reset the password of your account on {{ portal.title }}. If it was you, choose a new one (the link works once and for one hour):\n{{ link }}\n\nIf it was not you, ignore this e-mail: your password stays as it is.\n\n{{ company.name }}\n",
        ),
        "support_ending" => t(
            "Your support ends on {{ support_end_date }}",
            layout(
                "Your support ends on {{ support_end_date }}",
                &format!(
                    "<p>Hello {{{{ contact.first_name or contact.last_name }}}},</p>\n<p>your support with {{{{ company.name }}}} ends on <strong>{{{{ support_end_date }}}}</strong>. After that day you can no longer sign in to {{{{ portal.title }}}}. Contact us to renew it.</p>\n{}",
                    button("Open the portal")
                ),
            ),
            "Hello {{ contact.first_name or contact.last_name }},\n\nyour support with {{ company.name }} ends on {{ support_end_date }}. After that day you can no longer sign in to {{ portal.title }}. Contact us to renew it.\n\n{{ link }}\n\n{{ company.name }}\n",
        ),
        "record_updated" => t(
            "Update on {{ record.number }}: {{ record.label }}",
            layout(
                "{{ record.module_label }} {{ record.number }} was updated",
                &format!(
                    "<p><strong>{{{{ record.label }}}}</strong></p>\n<ul style=\"padding-left:18px\">{{% for change in record.changes %}}<li>{{{{ change }}}}</li>{{% endfor %}}</ul>\n{{% if comment %}}<blockquote style=\"margin:16px 0;padding:8px 16px;border-left:4px solid #dee2e6;color:#495057\">{{{{ comment.body }}}}<br><small>— {{{{ comment.author }}}}</small></blockquote>{{% endif %}}\n{}\n<p style=\"font-size:12px;color:#868e96\">You get these e-mails because you follow this record. You can turn them off in your profile.</p>",
                    button("View it in the portal")
                ),
            ),
            "{{ record.module_label }} {{ record.number }} was updated: {{ record.label }}\n\n{% for change in record.changes %}- {{ change }}\n{% endfor %}{% if comment %}\n{{ comment.author }} wrote:\n{{ comment.body }}\n{% endif %}\nView it in the portal: {{ link }}\n\nYou get these e-mails because you follow this record; you can turn them off in your profile.\n",
        ),
        "staff_customer_activity" => t(
            "{{ contact.first_name }} {{ contact.last_name }}: {{ record.number }} {{ record.label }}",
            layout(
                "Customer activity on {{ record.number }}",
                "<p>{{ contact.first_name }} {{ contact.last_name }}{% if organization %} ({{ organization.name }}){% endif %} {% if comment %}commented on{% else %}created{% endif %} <strong>{{ record.module_label }} {{ record.number }}: {{ record.label }}</strong>.</p>\n{% if comment %}<blockquote style=\"margin:16px 0;padding:8px 16px;border-left:4px solid #dee2e6\">{{ comment.body }}</blockquote>{% endif %}\n<p><a href=\"{{ link }}\">{{ link }}</a></p>",
            ),
            "{{ contact.first_name }} {{ contact.last_name }}{% if organization %} ({{ organization.name }}){% endif %} {% if comment %}commented on{% else %}created{% endif %} {{ record.module_label }} {{ record.number }}: {{ record.label }}.\n{% if comment %}\n{{ comment.body }}\n{% endif %}\n{{ link }}\n",
        ),
        _ => return None,
    })
}

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_fuel(Some(FUEL));
    env.set_undefined_behavior(UndefinedBehavior::Chainable);
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".html") {
            AutoEscape::Html
        } else {
            AutoEscape::None
        }
    });
    env
}

/// The first line of `source` that mentions `needle` (1-based), for error messages.
fn line_of(source: &str, needle: &str) -> usize {
    source
        .lines()
        .position(|l| l.contains(needle))
        .map(|i| i + 1)
        .unwrap_or(1)
}

/// Checks every part: it must parse, and use only known merge fields (with the fields the
/// metadata gives contacts, organizations and records). Each problem names its part and line.
pub fn check(template: &Template, registry: &Registry) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let env = environment();
    let contact_fields: Vec<&str> = registry
        .module("contacts")
        .map(|m| m.fields.iter().map(|f| f.name.as_str()).collect())
        .unwrap_or_default();
    let organization_fields: Vec<&str> = registry
        .module("organizations")
        .map(|m| m.fields.iter().map(|f| f.name.as_str()).collect())
        .unwrap_or_default();
    let record_fields: Vec<&str> = registry
        .modules()
        .iter()
        .flat_map(|m| m.fields.iter().map(|f| f.name.as_str()))
        .collect();
    for (part, source, file) in [
        ("subject", &template.subject, "subject.txt"),
        ("body_html", &template.body_html, "body.html"),
        ("body_text", &template.body_text, "body.txt"),
    ] {
        if part == "subject" && source.trim().is_empty() {
            errors.push(FieldError::new(part, "required"));
            continue;
        }
        let compiled = match env.template_from_named_str(file, source) {
            Ok(compiled) => compiled,
            Err(err) => {
                let line = err.line().unwrap_or(1);
                let detail = err
                    .detail()
                    .map(str::to_owned)
                    .unwrap_or_else(|| err.kind().to_string());
                errors.push(FieldError::new(part, format!("line {line}: {detail}")));
                continue;
            }
        };
        let mut unknown: Vec<String> = compiled
            .undeclared_variables(true)
            .into_iter()
            .filter(|name| {
                let mut path = name.split('.');
                let root = path.next().unwrap_or_default();
                let key = path.next();
                let known = match (root, key) {
                    ("id" | "id_" | "loop" | "change", _) => true,
                    (root, _) if !MERGE_FIELDS.contains(&root) => false,
                    (_, None) => true,
                    ("contact", Some(k)) => {
                        contact_fields.contains(&k) || k == "id" || k == "number"
                    }
                    ("organization", Some(k)) => {
                        organization_fields.contains(&k) || k == "id" || k == "number"
                    }
                    ("portal", Some(k)) => PORTAL_KEYS.contains(&k),
                    ("company", Some(k)) => COMPANY_KEYS.contains(&k),
                    ("comment", Some(k)) => COMMENT_KEYS.contains(&k),
                    ("record", Some(k)) => {
                        RECORD_EXTRA_KEYS.contains(&k) || record_fields.contains(&k)
                    }
                    (_, Some(_)) => false,
                };
                !known
            })
            .collect();
        unknown.sort();
        for name in unknown {
            let line = line_of(source, &name);
            errors.push(FieldError::new(
                part,
                format!("line {line}: unknown merge field `{name}`"),
            ));
        }
    }
    errors
}

/// Renders all three parts with `context` (the merge fields as JSON).
pub fn render(template: &Template, context: &Value) -> Result<Rendered, String> {
    let env = environment();
    let part = |file: &str, source: &str| -> Result<String, String> {
        env.render_named_str(file, source, minijinja::value::Serde(context))
            .map_err(|e| {
                format!(
                    "line {}: {}",
                    e.line().unwrap_or(1),
                    e.detail()
                        .map(str::to_owned)
                        .unwrap_or_else(|| e.kind().to_string())
                )
            })
    };
    let subject = part("subject.txt", &template.subject)?;
    Ok(Rendered {
        // A subject is one line, whatever the template does.
        subject: subject.split_whitespace().collect::<Vec<_>>().join(" "),
        html: part("body.html", &template.body_html)?,
        text: part("body.txt", &template.body_text)?,
    })
}

/// Sample merge fields for previews.
pub fn sample_context() -> Value {
    json!({
        "contact": {"id": "00000000-0000-0000-0000-000000000001", "first_name": "Emma", "last_name": "Stone", "email": "emma.stone@example.com", "phone": "+1 555 0100"},
        "organization": {"id": "00000000-0000-0000-0000-000000000002", "name": "Acme Corp", "website": "https://acme.example.com"},
        "portal": {"name": "Customer Portal", "title": "Customer Portal", "slug": "default", "url": "https://support.example.com/portal", "default": true},
        "company": {"name": "Northwind Support", "address": "1 Harbour Street, Springfield", "email": "support@example.com", "phone": "+1 555 0199", "time_zone": "UTC", "accent_color": "#4263eb", "logo_url": null},
        "record": {"id": "00000000-0000-0000-0000-000000000003", "number": "CS-00042", "label": "Printer on fire", "module": "cases", "module_label": "Case", "url": "https://support.example.com/portal/records/cases/00000000-0000-0000-0000-000000000003", "status": "Open", "changes": ["Status: New → Open", "Ada Admin replied"]},
        "comment": {"body": "We are on our way with an extinguisher.", "author": "Ada Admin", "created_at": "2026-11-23T10:00:00Z", "internal": false},
        "link": "https://support.example.com/portal/invitation?token=sample-token",
        "support_end_date": "2026-12-31"
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard;

    #[test]
    fn the_defaults_are_valid_and_render() {
        let registry = standard::registry();
        for name in NAMES {
            let template = default_template(name).expect("default");
            assert_eq!(check(&template, &registry), vec![], "{name}");
            let rendered = render(&template, &sample_context()).expect("render");
            assert!(!rendered.subject.is_empty() && !rendered.subject.contains('\n'));
            assert!(rendered.html.contains("Northwind Support"), "{name}");
        }
    }

    #[test]
    fn html_is_escaped_and_text_is_not() {
        let template = Template {
            subject: "Hi {{ contact.first_name }}".into(),
            body_html: "<p>{{ contact.first_name }}</p>".into(),
            body_text: "{{ contact.first_name }}".into(),
        };
        let rendered =
            render(&template, &json!({"contact": {"first_name": "<b>Eve</b>"}})).expect("render");
        assert_eq!(rendered.html, "<p>&lt;b&gt;Eve&lt;&#x2f;b&gt;</p>");
        assert_eq!(rendered.text, "<b>Eve</b>");
    }

    #[test]
    fn problems_name_the_part_and_line() {
        let registry = standard::registry();
        let template = Template {
            subject: "Hello".into(),
            body_html: "<p>one</p>\n<p>{% if %}</p>".into(),
            body_text: "line one\n{{ contact.shoe_size }} and {{ nonsense }}".into(),
        };
        let errors = check(&template, &registry);
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert_eq!(errors[0].field, "body_html");
        assert!(errors[0].message.starts_with("line 2"), "{:?}", errors[0]);
        assert_eq!(errors[1].field, "body_text");
        assert!(
            errors[1].message.contains("line 2") && errors[1].message.contains("contact.shoe_size")
        );
        assert!(errors[2].message.contains("nonsense"));
    }

    #[test]
    fn runaway_templates_run_out_of_fuel() {
        let template = Template {
            subject: "x".into(),
            body_html:
                "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}"
                    .into(),
            body_text: String::new(),
        };
        assert!(render(&template, &json!({})).is_err());
    }
}
