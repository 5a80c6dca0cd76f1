//! Reading one raw record's fields into a typed record, with a field-level rejection for
//! the first field that has the wrong shape.

use super::{Locator, RawRecord, Rejection, Typed};
use crate::core::records::{ExternalUser, SourceUser};
use crate::core::ErrorCode;
use serde_json::{Map, Value};

type Checked<T> = std::result::Result<T, Rejection>;

/// The JSON type of a value, for messages.
pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The id as intake will carry it, or why there is none. Integers are accepted because
/// RingCentral ids are int64 and JSON exports often write them unquoted; they become their
/// decimal string so `1` and `"1"` are the same id. Surrounding whitespace is trimmed: a
/// padded id is an export artefact, never a distinct identity.
pub(crate) fn read_id(v: Option<&Value>) -> std::result::Result<String, String> {
    match v {
        None | Some(Value::Null) => Err("has no id".into()),
        Some(Value::String(s)) => {
            let t = s.trim();
            if t.is_empty() {
                Err("has an empty id".into())
            } else {
                Ok(t.to_owned())
            }
        }
        Some(Value::Number(n)) if n.is_i64() || n.is_u64() => Ok(n.to_string()),
        Some(other) => Err(format!(
            "has an id that is {}, not a string or an integer",
            kind(other)
        )),
    }
}

struct Reader {
    fields: Map<String, Value>,
    ill_formed: Vec<String>,
    position: usize,
    at: Locator,
    id: String,
}

impl Reader {
    fn new(raw: RawRecord, at: Locator) -> Checked<Reader> {
        let RawRecord {
            position,
            mut fields,
            ill_formed,
        } = raw;
        if ill_formed.iter().any(|f| f == "id") {
            return Err(at.reject(
                position,
                None,
                Some("id"),
                ErrorCode::InvalidInput,
                "the id is not well-formed text (it holds a lone UTF-16 surrogate)",
            ));
        }
        let id = read_id(fields.remove("id").as_ref())
            .map_err(|why| at.reject(position, None, Some("id"), ErrorCode::MissingField, why))?;
        Ok(Reader {
            fields,
            ill_formed,
            position,
            at,
            id,
        })
    }

    fn fail(&self, field: &str, detail: impl std::fmt::Display) -> Rejection {
        self.at.reject(
            self.position,
            Some(&self.id),
            Some(field),
            ErrorCode::InvalidInput,
            format_args!("field `{field}` {detail}"),
        )
    }

    /// The value of a field, `None` when missing or `null`.
    fn take(&mut self, field: &str) -> Checked<Option<Value>> {
        if self.ill_formed.iter().any(|f| f == field) {
            return Err(self.fail(
                field,
                "is not well-formed text (it holds a lone UTF-16 surrogate)",
            ));
        }
        Ok(self.fields.remove(field).filter(|v| !v.is_null()))
    }

    fn text(&mut self, field: &str) -> Checked<Option<String>> {
        match self.take(field)? {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(self.fail(
                field,
                format_args!("must be a string, got {}", kind(&other)),
            )),
        }
    }

    fn flag(&mut self, field: &str) -> Checked<Option<bool>> {
        match self.take(field)? {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(b)),
            Some(Value::String(s)) => Err(self.fail(
                field,
                format_args!("must be a boolean (in CSV: true/false/1/0/yes/no), got {s:?}"),
            )),
            Some(other) => Err(self.fail(
                field,
                format_args!("must be a boolean, got {}", kind(&other)),
            )),
        }
    }

    fn list(&mut self, field: &str) -> Checked<Option<Vec<String>>> {
        let items = match self.take(field)? {
            None => return Ok(None),
            Some(Value::Array(items)) => items,
            Some(other) => {
                return Err(self.fail(
                    field,
                    format_args!("must be an array of strings, got {}", kind(&other)),
                ))
            }
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.into_iter().enumerate() {
            match item {
                Value::String(s) => out.push(s),
                other => {
                    return Err(self.fail(
                        field,
                        format_args!("must be an array of strings, item {i} is {}", kind(&other)),
                    ))
                }
            }
        }
        Ok(Some(out))
    }

    fn timestamp(&mut self, field: &str) -> Checked<(Option<String>, Option<jiff::Timestamp>)> {
        let Some(text) = self.text(field)? else {
            return Ok((None, None));
        };
        match text.trim().parse::<jiff::Timestamp>() {
            Ok(ts) => Ok((Some(text), Some(ts))),
            Err(e) => Err(self.fail(
                field,
                format_args!("must be an RFC 3339 timestamp such as 2024-05-01T12:00:00Z, got {text:?} ({e})"),
            )),
        }
    }
}

/// Struct literal fields are evaluated in the order written, which is the order of
/// `SOURCE_FIELDS` / `EXTERNAL_FIELDS`, so the first bad field reported is the first one in
/// that order.
pub(crate) fn source_user(raw: RawRecord, at: Locator) -> Checked<Typed<SourceUser>> {
    let mut r = Reader::new(raw, at)?;
    let mut record = SourceUser {
        id: String::new(),
        tenant_id: r.text("tenantId")?,
        business_unit_id: r.text("businessUnitId")?,
        email: r.text("email")?,
        first_name: r.text("firstName")?,
        last_name: r.text("lastName")?,
        user_name: r.text("userName")?,
        employee_id: r.text("employeeId")?,
        active: r.flag("active")?,
        permissions: r.list("permissions")?,
        team_id: r.text("teamId")?,
        team_features: r.list("teamFeatures")?,
        role_id: r.text("roleId")?,
        role_permissions: r.list("rolePermissions")?,
        acd_profile_id: r.text("acdProfileId")?,
        agent_number: r.text("agentNumber")?,
        external_id: r.text("externalId")?,
        activation_date: r.text("activationDate")?,
        updated_at: None,
    };
    let (updated_at, updated) = r.timestamp("updatedAt")?;
    record.updated_at = updated_at;
    record.id = r.id;
    Ok(Typed {
        position: r.position,
        record,
        updated,
    })
}

pub(crate) fn external_user(raw: RawRecord, at: Locator) -> Checked<Typed<ExternalUser>> {
    let mut r = Reader::new(raw, at)?;
    let mut record = ExternalUser {
        id: String::new(),
        email: r.text("email")?,
        first_name: r.text("firstName")?,
        last_name: r.text("lastName")?,
        display_name: r.text("displayName")?,
        user_name: r.text("userName")?,
        employee_id: r.text("employeeId")?,
        active: r.flag("active")?,
        updated_at: None,
    };
    let (updated_at, updated) = r.timestamp("updatedAt")?;
    record.updated_at = updated_at;
    record.id = r.id;
    Ok(Typed {
        position: r.position,
        record,
        updated,
    })
}
