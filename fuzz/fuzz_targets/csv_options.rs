//! CSV intake with arbitrary options (column renames, delimiter): never panics; a bad option
//! is `invalid_input`, and the report accounts for every row.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use usersync::core::intake::{
    intake_external_bytes, intake_source_bytes, CsvColumn, CsvOptions, InputFormat,
    EXTERNAL_FIELDS, SOURCE_FIELDS,
};
use usersync::core::ErrorCode;

#[derive(Debug, Arbitrary)]
enum Field {
    Known(u8),
    Other(String),
}

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    source: bool,
    columns: Vec<(Field, String)>,
    delimiter: Option<char>,
    header: Vec<&'a str>,
    body: &'a [u8],
}

fuzz_target!(|input: Input| {
    let fields = if input.source {
        SOURCE_FIELDS
    } else {
        EXTERNAL_FIELDS
    };
    let name = |f: &Field| match f {
        Field::Known(i) => fields[usize::from(*i) % fields.len()].to_string(),
        Field::Other(s) => s.clone(),
    };
    let columns = input
        .columns
        .iter()
        .map(|(f, header)| CsvColumn {
            field: name(f),
            header: header.clone(),
        })
        .collect();
    let csv = CsvOptions {
        columns,
        delimiter: input.delimiter,
    };
    let sep = input.delimiter.map_or(",".to_string(), |c| c.to_string());
    let mut bytes = input.header.join(&sep).into_bytes();
    bytes.push(b'\n');
    bytes.extend_from_slice(input.body);
    let report = if input.source {
        intake_source_bytes(&bytes, InputFormat::Csv, &csv).map(|i| (i.records.len(), i.report))
    } else {
        intake_external_bytes(&bytes, InputFormat::Csv, &csv).map(|i| (i.records.len(), i.report))
    };
    match report {
        Ok((n, r)) => {
            assert_eq!(r.received, r.accepted + r.rejected.len());
            assert_eq!(n, r.accepted);
        }
        Err(e) => assert_eq!(e.code, ErrorCode::InvalidInput, "{}", e.message),
    }
});
