//! Every corpus file round-trips byte for byte; failing cases behave as Apache does.

use super::common::*;
use certsmith::syntax::apache::ConfFile;

#[test]
fn every_corpus_file_round_trips() {
    let mut files = files_under(&corpus().join("trees"));
    files.extend(files_under(&corpus().join("cases/passing")));
    assert!(files.len() > 400, "corpus incomplete: {} files", files.len());
    let mut failures = Vec::new();
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        match ConfFile::parse(&bytes) {
            Ok(f) if f.print() == bytes => {}
            Ok(_) => failures.push(format!("{}: round trip changed the file", path.display())),
            Err(e) => failures.push(format!("{}:{e}", path.display())),
        }
    }
    assert!(failures.is_empty(), "{} of {} files failed:\n{}", failures.len(), files.len(), failures.join("\n"));
}
