//! A browser over HTTP for the page tests: keeps cookies, follows no redirect by itself, says
//! it is same-origin, and reads a page's form token.

use std::collections::HashMap;

use reqwest::header::{HeaderMap, LOCATION, SET_COOKIE};
use reqwest::{Client, StatusCode};

use super::TestApp;

/// A browser: keeps cookies, follows no redirect by itself, says it is same-origin.
pub struct Browser {
    pub client: Client,
    pub base: String,
    pub cookies: HashMap<String, String>,
    pub language: &'static str,
    /// The `Host` to ask for, when not the server's address.
    pub host: Option<&'static str>,
}

pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn location(&self) -> String {
        self.headers
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    }

    /// The form token of the page's first form.
    pub fn token(&self) -> String {
        let marker = "name=\"csrf\" value=\"";
        let start = self.body.find(marker).expect("a form with a token") + marker.len();
        let end = self.body[start..].find('"').expect("end of token") + start;
        self.body[start..end].to_owned()
    }
}

impl Browser {
    pub fn new(app: &TestApp) -> Browser {
        Browser {
            client: Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            base: app.base.clone(),
            cookies: HashMap::new(),
            language: "en",
            host: None,
        }
    }

    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub fn keep_cookies(&mut self, headers: &HeaderMap) {
        for value in headers.get_all(SET_COOKIE) {
            let Some((pair, rest)) = value.to_str().ok().and_then(|v| v.split_once(';')) else {
                continue;
            };
            let Some((name, value)) = pair.split_once('=') else {
                continue;
            };
            if rest.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
    }

    pub async fn send(&mut self, mut request: reqwest::RequestBuilder) -> Page {
        if let Some(host) = self.host {
            request = request.header("host", host);
        }
        let response = request
            .header("cookie", self.cookie_header())
            .header("sec-fetch-site", "same-origin")
            .header("accept-language", self.language)
            .send()
            .await
            .expect("answer");
        let status = response.status();
        let headers = response.headers().clone();
        self.keep_cookies(&headers);
        let body = response.text().await.unwrap_or_default();
        Page {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let request = self.client.get(format!("{}{path}", self.base));
        self.send(request).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let request = self
            .client
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        self.send(request).await
    }

    /// Signs in to the staff pages as `email` (the test harness's staff password); panics
    /// unless it works.
    pub async fn staff_sign_in(&mut self, email: &str) {
        let login = self.get("/staff/login").await;
        assert_eq!(login.status, StatusCode::OK);
        let token = login.token();
        let answer = self
            .post(
                "/staff/login",
                &[
                    ("csrf", &token),
                    ("email", email),
                    ("password", super::ADMIN_PASSWORD),
                    ("next", ""),
                ],
            )
            .await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
        assert_eq!(answer.location(), "/staff/");
    }

    /// Signs in to the default portal as `email`; panics unless it works.
    pub async fn sign_in(&mut self, email: &str) {
        let login = self.get("/portal/login").await;
        assert_eq!(login.status, StatusCode::OK);
        let token = login.token();
        let answer = self
            .post(
                "/portal/login",
                &[
                    ("csrf", &token),
                    ("email", email),
                    ("password", super::CUSTOMER_PASSWORD),
                    ("next", ""),
                ],
            )
            .await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
        assert_eq!(answer.location(), "/portal/");
    }
}

/// The value of attribute `name` in the start tag `tag` (our pages quote every attribute).
fn attribute(tag: &str, name: &str) -> Option<String> {
    let marker = format!(" {name}=\"");
    let start = tag.find(&marker)? + marker.len();
    let end = tag[start..].find('"')? + start;
    Some(unescape(&tag[start..end]))
}

fn has_flag(tag: &str, flag: &str) -> bool {
    tag.split(|c: char| c.is_whitespace() || c == '>')
        .any(|word| word == flag)
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

impl Page {
    /// What the browser would post for the form whose `action` starts with `action`: inputs
    /// with their values (checkboxes and radios only when checked), each select's chosen
    /// option, textareas' text. Enough for the pages' own, well-formed forms.
    pub fn form_fields(&self, action: &str) -> Vec<(String, String)> {
        let marker = format!("action=\"{action}");
        let start = self
            .body
            .find(&marker)
            .unwrap_or_else(|| panic!("no form to {action}"));
        let end = self.body[start..]
            .find("</form>")
            .map_or(self.body.len(), |e| start + e);
        let form = &self.body[start..end];
        let mut fields = Vec::new();
        let mut rest = form;
        while let Some(open) = rest.find('<') {
            rest = &rest[open..];
            let close = rest.find('>').unwrap_or(rest.len());
            let tag = &rest[..close];
            if tag.starts_with("<input") {
                let kind = attribute(tag, "type").unwrap_or_else(|| "text".into());
                if let Some(name) = attribute(tag, "name")
                    && (!matches!(kind.as_str(), "checkbox" | "radio") || has_flag(tag, "checked"))
                    && kind != "file"
                {
                    fields.push((name, attribute(tag, "value").unwrap_or_default()));
                }
            } else if tag.starts_with("<textarea")
                && let Some(name) = attribute(tag, "name")
            {
                let text_end = rest.find("</textarea>").unwrap_or(rest.len());
                fields.push((name, unescape(&rest[close + 1..text_end])));
            } else if tag.starts_with("<select")
                && let Some(name) = attribute(tag, "name")
            {
                let select_end = rest.find("</select>").unwrap_or(rest.len());
                let options = &rest[..select_end];
                let mut chosen = None;
                let mut first = None;
                for option in options.split("<option").skip(1) {
                    let value = attribute(&format!(" {option}"), "value").unwrap_or_default();
                    first.get_or_insert(value.clone());
                    if has_flag(option.split('>').next().unwrap_or(""), "selected") {
                        chosen = Some(value);
                    }
                }
                fields.push((name, chosen.or(first).unwrap_or_default()));
            }
            rest = &rest[close.min(rest.len())..];
            if rest.len() <= 1 {
                break;
            }
            rest = &rest[1..];
        }
        fields
    }
}

impl Browser {
    /// Posts a multipart form: text `fields` and a file `(name, bytes)` in the part `file`.
    pub async fn post_file(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file: (&str, &[u8]),
    ) -> Page {
        let mut form = reqwest::multipart::Form::new();
        for (name, value) in fields {
            form = form.text((*name).to_owned(), (*value).to_owned());
        }
        let part = reqwest::multipart::Part::bytes(file.1.to_vec())
            .file_name(file.0.to_owned())
            .mime_str("text/plain")
            .expect("a type");
        form = form.part("file", part);
        let request = self
            .client
            .post(format!("{}{path}", self.base))
            .multipart(form);
        self.send(request).await
    }

    /// Posts `fields` (as [`Page::form_fields`] gives them) to `path`.
    pub async fn post_fields(&mut self, path: &str, fields: &[(String, String)]) -> Page {
        let pairs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        self.post(path, &pairs).await
    }
}
