//! Many lineages from one real one, for benchmarks: archive files, relative
//! live links and the renewal conf with its paths and name rewritten.

use std::path::{Path, PathBuf};

/// `count` copies (`lineage-0000.example.com`, ...) under `config` of the
/// lineage `name` that lives under `source`.
pub fn copy_lineage(source: &Path, name: &str, config: &Path, count: usize) {
    let conf =
        std::fs::read_to_string(source.join("renewal").join(format!("{name}.conf"))).unwrap();
    for dir in ["renewal", "live", "archive"] {
        std::fs::create_dir_all(config.join(dir)).unwrap();
    }
    for i in 0..count {
        let copy = format!("lineage-{i:04}.example.com");
        let archive: PathBuf = config.join("archive").join(&copy);
        let live = config.join("live").join(&copy);
        std::fs::create_dir_all(&archive).unwrap();
        std::fs::create_dir_all(&live).unwrap();
        for kind in ["cert", "chain", "fullchain", "privkey"] {
            std::fs::copy(
                source
                    .join("archive")
                    .join(name)
                    .join(format!("{kind}1.pem")),
                archive.join(format!("{kind}1.pem")),
            )
            .unwrap();
            std::os::unix::fs::symlink(
                format!("../../archive/{copy}/{kind}1.pem"),
                live.join(format!("{kind}.pem")),
            )
            .unwrap();
        }
        let text = conf
            .replace(&source.display().to_string(), &config.display().to_string())
            .replace(name, &copy);
        std::fs::write(config.join("renewal").join(format!("{copy}.conf")), text).unwrap();
    }
}
