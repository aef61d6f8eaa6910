//! PostgreSQL's `COPY … FROM STDIN` for the generators' bulk writes: rows
//! of any entity, every column set (ids included), serialised in COPY's text
//! format from the same sea-orm values an `INSERT` would bind. Several times
//! faster than multi-row `INSERT`s, which remain the path for SQLite.

use sea_orm::sea_query::Value;
use sea_orm::sqlx::PgConnection;
use sea_orm::{ActiveModelTrait, EntityTrait, IdenStatic, IntoActiveModel, Iterable};

/// Bytes sent to the server per message.
const CHUNK: usize = 1 << 20;

/// Appends `text` escaped for COPY's text format.
fn escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

/// Appends one value; `\N` for NULL.
fn value(out: &mut String, v: &Value) -> anyhow::Result<()> {
    use std::fmt::Write;
    match v {
        Value::Bool(Some(b)) => out.push_str(if *b { "t" } else { "f" }),
        Value::Int(Some(n)) => write!(out, "{n}")?,
        Value::BigInt(Some(n)) => write!(out, "{n}")?,
        Value::String(Some(s)) => escaped(out, s),
        Value::ChronoDate(Some(d)) => write!(out, "{d}")?,
        Value::ChronoDateTimeUtc(Some(t)) => out.push_str(&t.to_rfc3339()),
        Value::Bool(None)
        | Value::Int(None)
        | Value::BigInt(None)
        | Value::String(None)
        | Value::ChronoDate(None)
        | Value::ChronoDateTimeUtc(None) => out.push_str("\\N"),
        other => anyhow::bail!("BUG: COPY does not write {other:?} yet"),
    }
    Ok(())
}

/// Copies `rows` into `E`'s table on `conn` (inside the caller's transaction).
pub async fn copy_models<E>(conn: &mut PgConnection, rows: Vec<E::Model>) -> anyhow::Result<()>
where
    E: EntityTrait,
    E::Model: IntoActiveModel<E::ActiveModel>,
{
    if rows.is_empty() {
        return Ok(());
    }
    let columns: Vec<String> = E::Column::iter().map(|c| format!("\"{}\"", c.as_str())).collect();
    let statement = format!("COPY \"{}\" ({}) FROM STDIN", E::default().table_name(), columns.join(", "));
    let mut copy = conn.copy_in_raw(&statement).await?;
    let mut buf = String::with_capacity(CHUNK + 4096);
    for m in rows {
        let am = m.into_active_model();
        for (i, c) in E::Column::iter().enumerate() {
            if i > 0 {
                buf.push('\t');
            }
            match am.get(c).into_value() {
                Some(v) => value(&mut buf, &v)?,
                None => buf.push_str("\\N"),
            }
        }
        buf.push('\n');
        if buf.len() >= CHUNK {
            copy.send(std::mem::take(&mut buf).into_bytes()).await?;
            buf.reserve(CHUNK + 4096);
        }
    }
    if !buf.is_empty() {
        copy.send(buf.into_bytes()).await?;
    }
    copy.finish().await?;
    Ok(())
}
