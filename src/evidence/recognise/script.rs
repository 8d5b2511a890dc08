//! Shell, PowerShell and batch scripts: what a download command fetches. A script that pulls a
//! vendor's SDK into the build (`curl -fsSLO https://<vendor>/sdk/engine-8.1.tar.gz`, PowerShell's
//! `Invoke-WebRequest`, `bitsadmin /transfer`) integrates what it downloads, as a build script's
//! download URL or CMake's `file(DOWNLOAD …)` does. Only URLs on a line whose command downloads
//! are read (an `echo` of a URL, a comment, a documentation link are not), and a comment line
//! fetches nothing.

use std::sync::LazyLock;

use regex::Regex;

use super::{FieldHit, FieldKind, FileName, MetadataFormat, Recogniser, re};
use crate::evidence::Shape;

pub struct Script;

impl Recogniser for Script {
    fn claims(&self, file: &FileName<'_>, _text: &str) -> bool {
        matches!(
            file.ext.as_str(),
            "sh" | "bash" | "zsh" | "ksh" | "ps1" | "psm1" | "bat" | "cmd"
        )
    }

    fn read(&self, _file: &FileName<'_>, text: &str, out: &mut Vec<FieldHit>) {
        static DOWNLOAD: LazyLock<Regex> = LazyLock::new(|| {
            re(concat!(
                r"(?i)(?:^|[\s;&|(`$])(?:curl|wget|aria2c|fetch|Invoke-WebRequest|iwr|Invoke-RestMethod",
                r"|irm|Start-BitsTransfer|bitsadmin|certutil)(?:\.exe)?\b|\.Download(?:File|String|Data)\b",
            ))
        });
        static URL: LazyLock<Regex> =
            LazyLock::new(|| re(r#"(?i)\b(?:https?|ftp)://[^\s"'<>`)]+"#));
        for (i, line) in text.lines().enumerate() {
            let code = line.trim_start();
            let lower = code.to_ascii_lowercase();
            if code.starts_with('#')
                || code.starts_with("::")
                || lower.starts_with("rem ")
                || lower == "rem"
                || !DOWNLOAD.is_match(code)
            {
                continue;
            }
            for url in URL.find_iter(code) {
                out.push(FieldHit {
                    format: MetadataFormat::Script,
                    key: "download".into(),
                    kind: FieldKind::Integration,
                    shape: Shape::Url,
                    value: url.as_str().trim_end_matches([',', ';', '.']).to_string(),
                    line: u32::try_from(i + 1).unwrap_or(u32::MAX),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    fn downloads(name: &str, text: &str) -> Vec<String> {
        crate::evidence::recognise::fields(name, text)
            .into_iter()
            .filter(|f| f.key == "download")
            .map(|f| f.value)
            .collect()
    }

    #[test]
    fn download_commands_fetch_what_they_name() {
        let sh = "#!/bin/sh\n# see https://docs.example.com/sdk for the licence\necho \"get it from https://example.com/x\"\ncurl -fsSLO https://downloads.example.com/sdk/engine-8.1.tar.gz\nwget -q \"https://mirror.example.org/engine.zip\" && unzip engine.zip\n";
        assert_eq!(
            downloads("scripts/fetch.sh", sh),
            [
                "https://downloads.example.com/sdk/engine-8.1.tar.gz",
                "https://mirror.example.org/engine.zip"
            ]
        );
        let ps = "# Invoke-WebRequest https://old.example.com/a.zip\nInvoke-WebRequest -Uri 'https://downloads.example.com/engine.zip' -OutFile engine.zip\n(New-Object Net.WebClient).DownloadFile(\"https://cdn.example.com/b.msi\", \"b.msi\")\n";
        assert_eq!(
            downloads("setup.ps1", ps),
            [
                "https://cdn.example.com/b.msi",
                "https://downloads.example.com/engine.zip"
            ]
        );
        let bat = "REM bitsadmin /transfer x https://old.example.com/a.zip a.zip\nbitsadmin /transfer sdk https://downloads.example.com/sdk.zip %CD%\\sdk.zip\n";
        assert_eq!(
            downloads("fetch.bat", bat),
            ["https://downloads.example.com/sdk.zip"]
        );
        assert!(downloads("notes.txt", sh).is_empty());
    }
}
