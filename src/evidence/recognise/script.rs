//! Shell, PowerShell and batch scripts, and the commands other files carry: what a download
//! command fetches, and what a package manager's install command installs (see [`installs`]; a
//! Dockerfile's `RUN` lines and a makefile's recipes too). A script that pulls a vendor's SDK
//! into the build (`curl -fsSLO https://<vendor>/sdk/engine-8.1.tar.gz`, PowerShell's
//! `Invoke-WebRequest`, `bitsadmin /transfer`) integrates what it downloads, as a build script's
//! download URL or CMake's `file(DOWNLOAD …)` does. Only URLs on a line whose command downloads
//! are read (an `echo` of a URL, a comment, a documentation link are not), and a comment line
//! fetches nothing.
//!
//! The same commands written into a CI pipeline (`run:` steps of a workflow, GitLab's `script:`,
//! a Jenkinsfile's `sh '…'`) or a task runner's file (justfile, Taskfile, Earthfile, cargo-make,
//! tox, a dev container's `postCreateCommand`) are read the same way (see [`carrier`]): the
//! build that ships the product is what runs them. An npm or Composer manifest's `scripts` are
//! read by their recognisers through [`commands`].

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
        ) || carrier(file)
    }

    fn read(&self, file: &FileName<'_>, text: &str, out: &mut Vec<FieldHit>) {
        if carrier(file) {
            commands(MetadataFormat::CiConfig, &unwrapped(text), out);
        } else {
            commands(MetadataFormat::Script, text, out);
            // PowerShell loads assemblies and libraries (`Add-Type -Path …\Vendor.Engine.dll`).
            if matches!(file.ext.as_str(), "ps1" | "psm1") {
                super::imports::dynamic_loads(MetadataFormat::Script, text, Some("#"), out);
            }
        }
    }
}

/// Whether `file` is one whose lines are commands a build runs, written inside another syntax:
/// a CI pipeline's configuration or a task runner's file, known by its name or directory.
pub(super) fn carrier(file: &FileName<'_>) -> bool {
    const BASES: &[&str] = &[
        ".gitlab-ci.yml",
        ".gitlab-ci.yaml",
        "azure-pipelines.yml",
        "azure-pipelines.yaml",
        ".travis.yml",
        "bitbucket-pipelines.yml",
        ".drone.yml",
        "appveyor.yml",
        ".appveyor.yml",
        "cloudbuild.yaml",
        "cloudbuild.yml",
        "buildspec.yml",
        "buildspec.yaml",
        ".cirrus.yml",
        "codemagic.yaml",
        ".woodpecker.yml",
        ".woodpecker.yaml",
        ".gitpod.yml",
        "action.yml",
        "action.yaml",
        "jenkinsfile",
        "justfile",
        ".justfile",
        "taskfile.yml",
        "taskfile.yaml",
        "taskfile.dist.yml",
        "earthfile",
        "vagrantfile",
        "makefile.toml",
        "tox.ini",
        "devcontainer.json",
        ".devcontainer.json",
    ];
    // Directories whose YAML files are all pipelines.
    const DIRS: &[&str] = &[
        ".github/workflows/",
        ".gitea/workflows/",
        ".forgejo/workflows/",
        ".circleci/",
        ".buildkite/",
        ".woodpecker/",
        ".semaphore/",
        ".gitlab/ci/",
        ".azure-pipelines/",
        ".tekton/",
    ];
    let base = file.base.to_ascii_lowercase();
    if BASES.contains(&base.as_str())
        || base.starts_with("jenkinsfile.")
        || matches!(file.ext.as_str(), "jenkinsfile" | "just")
    {
        return true;
    }
    let path = file.path.replace('\\', "/").to_ascii_lowercase();
    matches!(file.ext.as_str(), "yml" | "yaml")
        && DIRS
            .iter()
            .any(|d| path.starts_with(d) || path.contains(&format!("/{d}")))
}

/// A carrier's lines as the commands they hold, line for line: a YAML list item's `- `, a key
/// that holds a command (`run:`, `script:`, `"postCreateCommand":`, tox's `commands =`) and a
/// Jenkinsfile's `sh '…'`/`bat "…"` wrapper are taken off, so that what is left starts with the
/// command. A key in capitals (`SDK_URL: https://…`, a workflow's `env:` entries) becomes a
/// shell assignment (`SDK_URL=https://…`) for [`expanded`] to bind, and a workflow's
/// `${{ env.SDK_URL }}` becomes `${SDK_URL}`.
fn unwrapped(text: &str) -> String {
    static LINE: LazyLock<Regex> = LazyLock::new(|| {
        re(concat!(
            r#"^([ \t]*)(?:-[ \t]+)?(?:["']?([A-Za-z_][\w.-]*)["']?[ \t]*[:=](?:[ \t]+|$))?"#,
            r#"(?:(?:sh|bat|powershell|pwsh)\b[ \t]*\(?[ \t]*(?:script[ \t]*:[ \t]*)?)?"#,
        ))
    });
    static ACTIONS_ENV: LazyLock<Regex> =
        LazyLock::new(|| re(r"\$\{\{\s*env\.([A-Za-z_]\w*)\s*\}\}"));
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let line = ACTIONS_ENV.replace_all(line, "$${$1}");
        let Some(c) = LINE.captures(&line) else {
            out.push_str(&line);
            continue;
        };
        let whole = c.get(0).expect("the match");
        let rest = &line[whole.end()..];
        out.push_str(&c[1]);
        // An environment entry (a workflow's `env:`, a Jenkinsfile's `environment { }`): bound
        // as a shell assignment. Any other key is taken off.
        if let Some(key) = c.get(2)
            && !rest.trim().is_empty()
            && key
                .as_str()
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        {
            out.push_str(key.as_str());
            out.push('=');
        }
        out.push_str(rest);
    }
    out
}

/// The downloads and installs of `text` read as a script's lines (after the variables it sets
/// are put in place of their uses): what a shell script, a carrier's commands, or one command a
/// manifest holds (an npm `postinstall`) fetches and installs.
pub(super) fn commands(format: MetadataFormat, text: &str, out: &mut Vec<FieldHit>) {
    let text = &*expanded(text);
    downloads(format, text, out);
    installs(format, text, out);
}

/// The URLs on `text`'s lines whose command downloads (see the module): a download tool's
/// (`curl`, `wget`, `Invoke-WebRequest`…), a version-control checkout's (`git clone`, `git
/// submodule add`, `svn checkout`, `hg clone`, `gh release download -R owner/repo`), a copy's
/// from another machine (`scp`, `rsync`), an installer's run from a URL (`msiexec /i https://…`,
/// `rpm -i https://…`, `kubectl apply -f https://…`, `helm repo add`), an artefact registry's
/// (`oras pull`). A URL that only queries a service (see [`service_call`]) is not a download:
/// a script asking a vendor's threat-intelligence API for a verdict ships none of its software.
fn downloads(format: MetadataFormat, text: &str, out: &mut Vec<FieldHit>) {
    static DOWNLOAD: LazyLock<Regex> = LazyLock::new(|| {
        re(concat!(
            r#"(?i)(?:^|[\s;&|(`$"'])(?:(?:curl|wget|aria2c|fetch|Invoke-WebRequest|iwr|Invoke-RestMethod"#,
            r"|irm|Start-BitsTransfer|bitsadmin|certutil|scp|rsync|msiexec)(?:\.exe)?\b",
            r"|git(?:\.exe)?\s+(?:clone|fetch|pull|submodule\s+add|remote\s+add)\b",
            r"|(?:svn\s+(?:checkout|co|export)|hg\s+clone|oras\s+pull|rpm\s+-\w*[iU]\w*|dpkg\s+-i",
            r"|helm\s+(?:repo\s+add|install|upgrade|pull)|kubectl\s+(?:apply|create))\b",
            r"|gh\s+(?:release\s+download|repo\s+clone)\b)|\.Download(?:File|String|Data)\b",
        ))
    });
    // URLs, git's `user@host:path` form and scp's `user@host:/path`.
    static URL: LazyLock<Regex> = LazyLock::new(|| {
        re(concat!(
            r#"(?i)\b(?:https?|ftp|git|ssh|rsync|oci)://[^\s"'<>`)]+"#,
            r#"|\b[\w.-]+@[a-z0-9][\w-]*(?:\.[\w-]+)+:[^\s"'<>`)/][^\s"'<>`)]*"#,
            r#"|\b[\w.-]+@[a-z0-9][\w-]*(?:\.[\w-]+)+:/[^\s"'<>`)]+"#,
        ))
    });
    // `gh`'s `owner/repo`, which names a GitHub repository.
    static GH_REPO: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r#"(?i)\bgh\s+(?:release\s+download\b.*?(?:-R|--repo)[\s=]+|repo\s+clone\s+)["']?([\w.-]+/[\w.-]+)"#,
        )
    });
    for (i, line) in text.lines().enumerate() {
        let code = line.trim_start();
        if comment_line(code) || !DOWNLOAD.is_match(code) {
            continue;
        }
        let mut push = |value: String| {
            out.push(FieldHit {
                format,
                key: "download".into(),
                kind: FieldKind::Integration,
                shape: Shape::Url,
                value,
                line: u32::try_from(i + 1).unwrap_or(u32::MAX),
            });
        };
        for url in URL.find_iter(code) {
            let url = url.as_str().trim_end_matches([',', ';', '.']);
            if service_call(url, code) {
                continue;
            }
            match scp_form(url) {
                Some(ssh) => push(ssh),
                None => push(url.to_string()),
            }
        }
        if let Some(c) = GH_REPO.captures(code) {
            push(format!("https://github.com/{}", &c[1]));
        }
    }
}

/// scp's `user@host:/path` as the URL it means (`ssh://user@host/path`); git's
/// `git@host:org/repo.git` is left as written (the matcher reads that form itself).
fn scp_form(url: &str) -> Option<String> {
    if url.contains("://") {
        return None;
    }
    let (user_host, path) = url.split_once(":/")?;
    Some(format!("ssh://{user_host}/{path}"))
}

/// Whether `url`, on the line `line` (a command, or a build script's literal), only queries a
/// service rather than fetching a file: an API path (a segment `api`, `graphql`, `rest`) or a
/// query that asks something (`request=`, `q=`, `hash=`, an API key), with no artefact named (an archive, a package, a library or an installer, in
/// the URL's path or as the file the command writes), and nothing piped into a shell or an
/// unpacker. `curl -H "x-api-key: …" https://<vendor>/api/v1/search/hash?request=…` asks for a
/// verdict; `curl -o sdk.tgz "https://<vendor>/download?id=8"` fetches a file.
pub(crate) fn service_call(url: &str, line: &str) -> bool {
    static ARTEFACT: LazyLock<Regex> = LazyLock::new(|| {
        re(concat!(
            r"(?i)\.(?:t?gz|tar|tgz|tbz2?|txz|tzst|zip|7z|rar|xz|bz2|zst|whl|egg|jar|aar|war|nupkg",
            r"|gem|deb|rpm|apk|msi|msix|appx|exe|dll|so|dylib|a|lib|pkg|dmg|crate|run|bin|sh|ps1",
            r"|iso|img|cab|vsix)(?:\.\d+)*(?:$|[?#])",
        ))
    });
    static PIPED: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"(?i)\|\s*(?:sudo\s+)?(?:sh|bash|zsh|iex|Invoke-Expression|tar|unzip|bsdtar|gunzip|xz|python3?|node)\b",
        )
    });
    let (path, query) = match url.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (url, None),
    };
    // A code-hosting site's API names a repository (`api.github.com/repos/<org>/<repo>/…`,
    // `gitlab.com/api/v4/projects/…`): what it answers is where code comes from.
    let host = path
        .split("://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or("")
        .to_ascii_lowercase();
    if matches!(
        host.as_str(),
        "api.github.com" | "gitlab.com" | "api.bitbucket.org" | "codeload.github.com"
    ) {
        return false;
    }
    let api = path.split('/').skip(3).any(|seg| {
        matches!(
            seg.to_ascii_lowercase().as_str(),
            "api" | "graphql" | "rest"
        )
    });
    // A query that asks something (`?request=<hash>`, `?q=…`, an API key), not a download
    // link's version or platform (`?v=8.1&os=linux`).
    let asks = query.is_some_and(|q| {
        q.split('&').any(|pair| {
            let key = pair.split('=').next().unwrap_or("").to_ascii_lowercase();
            matches!(
                key.as_str(),
                "request"
                    | "query"
                    | "q"
                    | "search"
                    | "hash"
                    | "apikey"
                    | "api_key"
                    | "key"
                    | "token"
            )
        })
    });
    if !(api || asks) {
        return false;
    }
    let written = line
        .split_whitespace()
        .any(|w| ARTEFACT.is_match(w.trim_matches(['"', '\''])) && !w.contains("://"));
    !ARTEFACT.is_match(path) && !written && !PIPED.is_match(line)
}

/// The packages a package manager's install command names, on a script's lines or a
/// Dockerfile's `RUN` lines (`pip install kaspersky-sdk==2.1`, `npm install @vendor/sdk@4`,
/// `apt-get install -y vendor-engine`, `dotnet add package Vendor.Sdk`, `Install-Package`…), each
/// integration: what the image or the build is made with. Lines continued with `\` are read
/// joined; a command chain (`&&`, `;`, `|`) is read command by command; options (`-y`,
/// `--no-cache-dir`) are not packages, and a version written on a package (`==2.1`, `@4.2.0`,
/// `=1.0-1`) is cut off.
pub(super) fn installs(format: MetadataFormat, text: &str, out: &mut Vec<FieldHit>) {
    // The command words that install, and the words after them that lead to the packages
    // (every word that is not an option), and commands that run one image or package, whose
    // first word after the options is the one installed (`docker run --name x image cmd…`).
    const VERBS: &[&[&str]] = &[
        &["pip", "install"],
        &["pip3", "install"],
        &["pipx", "install"],
        &["python", "-m", "pip", "install"],
        &["python3", "-m", "pip", "install"],
        &["uv", "pip", "install"],
        &["uv", "add"],
        &["poetry", "add"],
        &["npm", "install"],
        &["npm", "i"],
        &["npm", "add"],
        &["yarn", "add"],
        &["pnpm", "add"],
        &["pnpm", "install"],
        &["bun", "add"],
        &["apt-get", "install"],
        &["apt", "install"],
        &["yum", "install"],
        &["dnf", "install"],
        &["zypper", "install"],
        &["apk", "add"],
        &["brew", "install"],
        &["choco", "install"],
        &["winget", "install"],
        &["conda", "install"],
        &["gem", "install"],
        &["cargo", "install"],
        &["go", "install"],
        &["go", "get"],
        &["dotnet", "add", "package"],
        &["nuget", "install"],
        &["Install-Package"],
        &["Install-Module"],
        &["snap", "install"],
        &["flatpak", "install"],
        &["dpkg", "-i"],
        &["dpkg", "--install"],
        &["rpm", "-i"],
        &["rpm", "-ivh"],
        &["rpm", "-Uvh"],
        &["rpm", "-U"],
        &["rpm", "--install"],
        &["msiexec", "/i"],
        &["msiexec", "/package"],
        &["msiexec.exe", "/i"],
        &["msiexec.exe", "/package"],
        &["helm", "install"],
        &["helm", "upgrade"],
        &["helm", "pull"],
    ];
    const RUNS_ONE: &[&[&str]] = &[
        &["docker", "pull"],
        &["docker", "run"],
        &["docker", "create"],
        &["podman", "pull"],
        &["podman", "run"],
        &["nerdctl", "pull"],
        &["nerdctl", "run"],
        &["oras", "pull"],
    ];
    let mut line_no = 0u32;
    let mut joined = String::new();
    let mut first = 0u32;
    for line in text.lines() {
        line_no += 1;
        if joined.is_empty() {
            first = line_no;
        }
        let trimmed = line.trim_end();
        if let Some(head) = trimmed.strip_suffix('\\') {
            joined.push_str(head);
            joined.push(' ');
            continue;
        }
        joined.push_str(trimmed);
        let logical = std::mem::take(&mut joined);
        let code = logical.trim_start();
        if comment_line(code) {
            continue;
        }
        for command in code.split(['&', ';', '|']) {
            // A Dockerfile's exec form (`RUN ["pip", "install", "sdk"]`) is read as its words.
            let words: Vec<&str> = command
                .split_whitespace()
                .map(|w| w.trim_matches(['"', '\'', '[', ']', ',']))
                .skip_while(|w| {
                    // Leading words that only run the command: `RUN`, `sudo`, an assignment, a
                    // shell asked to run it (`sh -c "pip install …"`).
                    const RUNNERS: &[&str] = &[
                        "run",
                        "sudo",
                        "env",
                        "sh",
                        "bash",
                        "/bin/sh",
                        "/bin/bash",
                        "-c",
                        "-lc",
                        "-ec",
                        "cmd",
                        "/c",
                        "powershell",
                        "pwsh",
                        "-command",
                    ];
                    w.is_empty()
                        || RUNNERS.iter().any(|r| w.eq_ignore_ascii_case(r))
                        || w.contains('=')
                })
                .collect();
            let starts = |v: &&&[&str]| {
                words.len() > v.len()
                    && v.iter().zip(&words).all(|(a, b)| a.eq_ignore_ascii_case(b))
            };
            let (verb, one) = match VERBS.iter().find(starts) {
                Some(v) => (v, false),
                None => match RUNS_ONE.iter().find(starts) {
                    Some(v) => (v, true),
                    None => continue,
                },
            };
            // Options that take the next word as their value (`--version 1.0`, `-r reqs.txt`).
            const VALUED: &[&str] = &[
                "--version",
                "-v",
                "-r",
                "--requirement",
                "-c",
                "--constraint",
                "-i",
                "--index-url",
                "--extra-index-url",
                "-f",
                "--find-links",
                "--trusted-host",
                "-t",
                "--target",
                "--prefix",
                "--root",
                "--registry",
                "-s",
                "--source",
                "--channel",
                "--framework",
                "-o",
                "--output",
                "--cache-dir",
                "--tag",
                "--package-directory",
                "-requiredversion",
                "-minimumversion",
                "-version",
                "-source",
                "-scope",
                "-repository",
                "--namespace",
                "--values",
            ];
            // A container's settings (`docker run --name engine -e K=V image`), options that
            // take a value there only.
            const CONTAINER_VALUED: &[&str] = &[
                "--name",
                "-e",
                "--env",
                "--env-file",
                "-p",
                "--publish",
                "--network",
                "--entrypoint",
                "-w",
                "--workdir",
                "--mount",
                "--platform",
                "-u",
                "--user",
                "-l",
                "--label",
                "-h",
                "--hostname",
                "--restart",
                "-m",
                "--memory",
                "--volumes-from",
                "--add-host",
            ];
            let mut value_next = false;
            for arg in &words[verb.len()..] {
                if std::mem::take(&mut value_next) {
                    continue;
                }
                if arg.starts_with('-') {
                    let option = arg.to_ascii_lowercase();
                    value_next = !arg.contains('=')
                        && (VALUED.contains(&option.as_str())
                            || (one && CONTAINER_VALUED.contains(arg)));
                    continue;
                }
                // A version or a path, not a package name; nor a Windows switch (`/qn`).
                let switch = arg.len() > 1
                    && arg.starts_with('/')
                    && arg[1..]
                        .chars()
                        .all(|c| c.is_ascii_alphabetic() || matches!(c, '*' | '!' | '+' | '-'));
                if arg.is_empty() || switch || arg.starts_with(|c: char| c.is_ascii_digit()) {
                    continue;
                }
                // A package installed from a URL (`pip install git+https://…`, `msiexec /i
                // https://…/agent.msi`) is matched as the URL it is.
                let (shape, value) = if arg.contains("://") {
                    (Shape::Url, arg.to_string())
                } else {
                    (Shape::Text, super::imports::with_words(package_name(arg)))
                };
                if !value.is_empty() {
                    out.push(FieldHit {
                        format,
                        key: "install".into(),
                        kind: FieldKind::Integration,
                        shape,
                        value,
                        line: first,
                    });
                }
                // The image a container runs; what follows is its command.
                if one {
                    break;
                }
            }
        }
    }
}

/// `text` with the variables a script or a Dockerfile sets (`SDK_URL=https://…`, `export SDK=…`,
/// PowerShell's `$Url = "…"` and `$env:Url = "…"`, batch's `set URL=…`, a Dockerfile's `ARG`
/// and `ENV`) put in place of their later uses (`$SDK_URL`, `${SDK_URL}`, `%URL%`,
/// `$env:Url`), line by line in the file's order, so that `curl -fsSLO "$SDK_URL"` and
/// `pip install $SDK` are read as what they fetch and install. A use of a variable the file does
/// not set stays as written; lines keep their numbers; a comment line sets nothing.
pub(super) fn expanded(text: &str) -> std::borrow::Cow<'_, str> {
    static SET: LazyLock<Regex> = LazyLock::new(|| {
        re(concat!(
            r#"(?i)^(?:(?:export|local|readonly|typeset|declare(?:[ \t]+-\w+)*)[ \t]+"#,
            r#"|\$(?:env:)?|set[ \t]+"?|(?:ARG|ENV)[ \t]+)?([A-Za-z_]\w*)(?:[ \t]*=[ \t]*|[ \t]+)(.*)$"#,
        ))
    });
    static USE: LazyLock<Regex> = LazyLock::new(|| {
        re(concat!(
            r"\$\{([A-Za-z_]\w*)(?::?[-=]([^}]*)|:?[+?][^}]*)?\}",
            r"|\$env:([A-Za-z_]\w*)|\$([A-Za-z_]\w*)|%([A-Za-z_]\w*)%",
        ))
    });
    if !text.contains(['$', '%']) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut vars: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let mut out = String::with_capacity(text.len());
    for raw in text.split_inclusive('\n') {
        // An unset variable's default (`${MIRROR:-https://…}`) stands for it.
        let line = USE.replace_all(raw, |c: &regex::Captures<'_>| {
            let name = [1, 3, 4, 5]
                .into_iter()
                .find_map(|i| c.get(i))
                .expect("a group");
            vars.get(&name.as_str().to_ascii_lowercase())
                .map(String::as_str)
                .or_else(|| c.get(2).map(|d| d.as_str()))
                .unwrap_or(&c[0])
                .to_string()
        });
        // A line that uses a value many times is read as written, not grown without bound.
        let line = if line.len() > super::vars::MAX_LINE {
            std::borrow::Cow::Borrowed(raw)
        } else {
            line
        };
        let code = line.trim();
        if !comment_line(code)
            && let Some(c) = SET.captures(code)
        {
            // `ENV A=1 B=2` and `ENV A 1` both; a shell assignment is one word (`A=1 cmd` runs
            // `cmd` with it), its value unquoted or in quotes; anything else (`local x`,
            // `echo hi`) sets nothing.
            let keyword = code.split_whitespace().next().unwrap_or("");
            let (name, rest) = (&c[1], c[2].trim());
            let assigned = code[..code.len() - c[2].len()].trim_end().ends_with('=');
            let docker = ["arg", "env"].contains(&keyword.to_ascii_lowercase().as_str());
            if assigned || docker {
                let value = first_value(rest, !assigned);
                if !value.is_empty() {
                    vars.insert(name.to_ascii_lowercase(), super::vars::capped(value));
                }
                if docker && assigned {
                    for pair in rest.split_whitespace().skip(1) {
                        if let Some((k, v)) = pair.split_once('=')
                            && !k.is_empty()
                            && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                        {
                            let v = first_value(v, false);
                            vars.insert(k.to_ascii_lowercase(), super::vars::capped(v));
                        }
                    }
                }
            }
        }
        out.push_str(&line);
    }
    std::borrow::Cow::Owned(out)
}

/// The value that starts `rest`: a quoted string's contents, else its first word (all of it
/// where `whole`, as `ENV NAME value words`).
fn first_value(rest: &str, whole: bool) -> &str {
    for q in ['"', '\''] {
        if let Some(inner) = rest.strip_prefix(q) {
            return inner.find(q).map_or(inner, |end| &inner[..end]);
        }
    }
    if whole {
        return rest;
    }
    rest.split(|c: char| c.is_whitespace() || matches!(c, ';' | '&' | '|'))
        .next()
        .unwrap_or("")
}

/// Whether a line (its leading blanks trimmed) is a comment in a shell, PowerShell or batch
/// script, or a Dockerfile: `#`, batch's `::` and `REM`.
fn comment_line(code: &str) -> bool {
    let rem = code.get(..3).is_some_and(|w| w.eq_ignore_ascii_case("rem"));
    code.starts_with('#')
        || code.starts_with("::")
        || (rem && code[3..].chars().next().is_none_or(char::is_whitespace))
}

/// A package argument without the version written on it: `sdk==2.1`, `sdk>=2`, `sdk[extra]`,
/// `@scope/sdk@4.2.0`, `sdk@latest`, `engine=1.0-1`, `Module@v1.2`.
fn package_name(arg: &str) -> &str {
    let (scope, rest) = match arg.strip_prefix('@') {
        Some(rest) => (1, rest),
        None => (0, arg),
    };
    let end = rest
        .find(['=', '<', '>', '!', '~', ';', '[', '@', ','])
        .unwrap_or(rest.len());
    &arg[..scope + end]
}

#[cfg(test)]
mod tests {
    /// The values of the fields named `key` that `text` (a file named `name`) yields.
    fn values(key: &str, name: &str, text: &str) -> Vec<String> {
        crate::evidence::recognise::fields(name, text)
            .into_iter()
            .filter(|f| f.key == key)
            .map(|f| f.value)
            .collect()
    }

    fn downloads(name: &str, text: &str) -> Vec<String> {
        values("download", name, text)
    }

    fn installed(name: &str, text: &str) -> Vec<String> {
        values("install", name, text)
    }

    #[test]
    fn install_commands_name_their_packages() {
        let sh = "#!/bin/sh\n# pip install old-engine\npip install --no-cache-dir vendor-sdk==2.1.0 'other[extra]>=1'\nnpm install --save @vendor/engine@4.2.0 && echo done\nsudo apt-get install -y \\\n  vendor-agent=1.0-1 \\\n  curl\ndotnet add package Vendor.Scan --version 1.0\n";
        assert_eq!(
            installed("scripts/setup.sh", sh),
            [
                "@vendor/engine",
                "Vendor.Scan",
                "curl",
                "other",
                "vendor-agent",
                "vendor-sdk"
            ]
        );
        assert!(installed("fetch.bat", "REM pip install old-engine\nrem\n").is_empty());
        assert_eq!(installed("fetch.bat", "remove-me\npip install x\n"), ["x"]);
        let docker = "FROM python:3.12-slim\nRUN pip install vendor-sdk==2.1 \\\n && go install example.com/vendor/cli@v1.2.0\nCOPY --from=vendor/engine:8.1 /opt/engine /opt/engine\n";
        let got = crate::evidence::recognise::fields("docker/Dockerfile", docker);
        let values: Vec<&str> = got.iter().map(|f| f.value.as_str()).collect();
        assert!(values.contains(&"vendor-sdk"), "{values:?}");
        assert!(values.contains(&"example.com/vendor/cli"), "{values:?}");
        assert!(values.contains(&"vendor/engine:8.1"), "{values:?}");
        assert!(values.contains(&"python:3.12-slim"), "{values:?}");
        // Wherever the table knows a Dockerfile by its name, whatever its case.
        assert_eq!(
            installed("ci/build.Dockerfile", "RUN pip install vendor-sdk\n"),
            ["vendor-sdk"]
        );
        assert_eq!(
            installed("dockerfile", "RUN pip install vendor-sdk\n"),
            ["vendor-sdk"]
        );
    }

    #[test]
    fn variables_a_script_sets_are_read_where_they_are_used() {
        let sh = "#!/bin/sh\nBASE=https://downloads.example.com/sdk\nexport VERSION='8.1'\nURL=\"$BASE/engine-${VERSION}.tar.gz\"\ncurl -fsSLO \"$URL\"\nwget \"${MIRROR:-https://mirror.example.org/engine.zip}\"\nPKG=vendor-sdk\npip install \"$PKG==2.1\" $UNSET\n";
        assert_eq!(
            downloads("scripts/fetch.sh", sh),
            [
                "https://downloads.example.com/sdk/engine-8.1.tar.gz",
                "https://mirror.example.org/engine.zip"
            ]
        );
        assert_eq!(installed("scripts/fetch.sh", sh), ["$UNSET", "vendor-sdk"]);
        let ps = "$Base = \"https://downloads.example.com\"\n$env:SDK = 'engine.zip'\nInvoke-WebRequest -Uri \"$Base/$env:SDK\" -OutFile sdk.zip\n";
        assert_eq!(
            downloads("fetch.ps1", ps),
            ["https://downloads.example.com/engine.zip"]
        );
        let bat = "set \"URL=https://downloads.example.com/sdk.zip\"\nREM set URL=https://old.example.com/a.zip\nbitsadmin /transfer sdk %URL% sdk.zip\n";
        assert_eq!(
            downloads("fetch.bat", bat),
            ["https://downloads.example.com/sdk.zip"]
        );
        // A comment sets nothing; a variable printed is not fetched.
        let sh = "#!/bin/sh\n# URL=https://old.example.com/a.zip\nDOCS=https://docs.example.com/\necho \"$DOCS\"\ncurl -O \"$URL\"\n";
        assert!(downloads("x.sh", sh).is_empty());
        let docker = "FROM python:3.12\nARG SDK=vendor-sdk\nENV EXTRA=vendor-extra OTHER=vendor-other\nRUN pip install \"${SDK}==2.1\" $EXTRA \\\n && pip install $OTHER\nRUN [\"pip\", \"install\", \"vendor-cli\"]\nRUN [\"/bin/sh\", \"-c\", \"npm install @vendor/engine\"]\n";
        assert_eq!(
            installed("Dockerfile", docker),
            [
                "@vendor/engine",
                "vendor-cli",
                "vendor-extra",
                "vendor-other",
                "vendor-sdk"
            ]
        );
    }

    #[test]
    fn a_value_that_doubles_stays_bounded() {
        let mut sh = String::from("#!/bin/sh\nX=abcdefgh\n");
        for _ in 0..64 {
            sh.push_str("X=\"$X$X\"\n");
        }
        sh.push_str("curl -O https://downloads.example.com/a.zip $X\n");
        let got = super::expanded(&sh);
        // Each line holds two values of at most `MAX_VALUE` bytes: linear, not doubling.
        let longest = got.lines().map(str::len).max().unwrap_or(0);
        assert!(
            longest <= 2 * super::super::vars::MAX_VALUE + 8,
            "{longest}"
        );
        assert_eq!(
            downloads("x.sh", &sh),
            ["https://downloads.example.com/a.zip"]
        );
    }

    #[test]
    fn commands_inside_ci_and_task_files_are_read_as_a_scripts() {
        let workflow = "on: push\nenv:\n  SDK_URL: https://downloads.example.com/sdk/engine.tgz\njobs:\n  b:\n    env:\n      ENGINE: vendor-engine\n    steps:\n      - name: Fetch the engine with curl\n        run: curl -fsSLO \"${{ env.SDK_URL }}\"\n      # - run: wget https://old.example.com/a.zip\n      - run: echo \"see https://docs.example.com/\"\n      - run: |\n          python -m pip install --upgrade pip\n          pip install \"$ENGINE==8.1\"\n";
        let name = ".github/workflows/release.yml";
        assert_eq!(
            downloads(name, workflow),
            ["https://downloads.example.com/sdk/engine.tgz"]
        );
        assert_eq!(installed(name, workflow), ["pip", "vendor-engine"]);
        let got = crate::evidence::recognise::fields(name, workflow);
        assert!(
            got.iter()
                .all(|f| f.format == super::MetadataFormat::CiConfig)
        );
        // The same file outside a workflow directory is no pipeline.
        assert!(downloads("docs/release.yml", workflow).is_empty());
        let gitlab = "build:\n  before_script:\n    - apt-get install -y vendor-agent\n  script:\n    - wget https://downloads.example.com/a.zip\n";
        assert_eq!(installed(".gitlab-ci.yml", gitlab), ["vendor-agent"]);
        assert_eq!(
            downloads(".gitlab-ci.yml", gitlab),
            ["https://downloads.example.com/a.zip"]
        );
        let jenkins = "pipeline {\n  environment {\n    SDK = 'https://downloads.example.com/sdk.tgz'\n  }\n  stages { stage('s') { steps {\n    sh 'curl -fsSLO \"$SDK\"'\n    bat \"pip install vendor-sdk\"\n  } } }\n}\n";
        assert_eq!(
            downloads("Jenkinsfile", jenkins),
            ["https://downloads.example.com/sdk.tgz"]
        );
        assert_eq!(installed("Jenkinsfile", jenkins), ["vendor-sdk"]);
        let devcontainer = "{\n  // comments are allowed here\n  \"postCreateCommand\": \"pip install vendor-sdk && cargo build\"\n}\n";
        assert_eq!(
            installed(".devcontainer/devcontainer.json", devcontainer),
            ["vendor-sdk"]
        );
        let tox = "[testenv]\ncommands_pre =\n    pip install vendor-sdk\ncommands = pytest\n";
        assert_eq!(installed("tox.ini", tox), ["vendor-sdk"]);
        let just = "sdk:\n    curl -fsSLO https://downloads.example.com/sdk.tgz\n";
        assert_eq!(
            downloads("justfile", just),
            ["https://downloads.example.com/sdk.tgz"]
        );
        // A makefile's recipes install too.
        assert_eq!(
            installed("Makefile", "deps:\n\tpip install vendor-sdk==2.1\n"),
            ["vendor-sdk"]
        );
    }

    #[test]
    fn manifests_scripts_are_read_as_commands() {
        let npm = "{\"name\": \"app\", \"scripts\": {\"postinstall\": \"curl -fsSL https://downloads.example.com/sdk.tgz | tar xz\", \"test\": \"echo https://docs.example.com/\", \"setup\": \"npm install @vendor/engine\"}}";
        let got = crate::evidence::recognise::fields("package.json", npm);
        let keys: Vec<(&str, &str)> = got
            .iter()
            .map(|f| (f.key.as_str(), f.value.as_str()))
            .collect();
        assert_eq!(
            keys,
            [
                (
                    "scripts.postinstall download",
                    "https://downloads.example.com/sdk.tgz"
                ),
                ("scripts.setup install", "@vendor/engine"),
            ]
        );
        let composer = "{\"name\": \"acme/app\", \"scripts\": {\"post-install-cmd\": [\"@php -r 'echo 1;'\", \"wget https://downloads.example.com/sdk.tgz\"]}}";
        assert_eq!(
            values(
                "scripts.post-install-cmd download",
                "composer.json",
                composer
            ),
            ["https://downloads.example.com/sdk.tgz"]
        );
    }

    #[test]
    fn checkouts_copies_and_installers_fetch_what_they_name() {
        let sh = "#!/bin/sh\ngit clone --depth 1 https://github.com/vendor/sdk vendor/sdk\ngit clone git@github.com:vendor/engine.git vendor/engine\ngit submodule add https://git.example.com/vendor/agent third_party/agent\ngh release download v8.1 -R vendor/sdk -p '*.tgz'\nscp build@dl.example.com:/sdk/sdk-8.1.tgz vendor/\nrsync -a rsync://mirror.example.com/sdk/ vendor/sdk/\nkubectl apply -f https://raw.example.com/vendor/deploy.yaml\nhelm repo add v https://charts.example.com/vendor\ngit commit -m 'see https://docs.example.com/'\n";
        assert_eq!(
            downloads("scripts/fetch.sh", sh),
            [
                "git@github.com:vendor/engine.git",
                "https://charts.example.com/vendor",
                "https://git.example.com/vendor/agent",
                "https://github.com/vendor/sdk",
                "https://github.com/vendor/sdk",
                "https://raw.example.com/vendor/deploy.yaml",
                "rsync://mirror.example.com/sdk/",
                "ssh://build@dl.example.com/sdk/sdk-8.1.tgz",
            ]
        );
        let sh = "#!/bin/sh\ndocker pull registry.example.com/vendor/engine:8.1\ndocker run -d --name engine -e MODE=scan -p 8080:80 vendor/agent:2 scan --all kasp\noras pull registry.example.com/vendor/sdk:8.1 -o vendor/\nsnap install vendor-engine\nflatpak install -y flathub com.example.Agent\ndpkg -i vendor/agent_1.0_amd64.deb\nrpm -ivh vendor/engine-8.1.x86_64.rpm\nhelm install engine v/engine-chart\n";
        assert_eq!(
            installed("scripts/setup.sh", sh),
            [
                "com.example.Agent",
                "engine",
                "flathub",
                "registry.example.com/vendor/engine:8.1",
                "registry.example.com/vendor/sdk:8.1",
                "v/engine-chart",
                "vendor-engine",
                "vendor/agent:2",
                "vendor/agent_1.0_amd64.deb",
                "vendor/engine-8.1.x86_64.rpm",
            ]
        );
        // An installer run from a URL is the URL, matched as one.
        let bat = "msiexec /i https://dl.example.com/agent_x64.msi /qn\n";
        assert_eq!(
            downloads("a.cmd", bat),
            ["https://dl.example.com/agent_x64.msi"]
        );
        let got = crate::evidence::recognise::fields("a.cmd", bat);
        assert!(
            got.iter()
                .filter(|f| f.key == "install")
                .all(|f| f.shape == crate::evidence::Shape::Url),
            "{got:?}"
        );
    }

    #[test]
    fn a_service_queried_is_not_a_download() {
        let sh = "#!/bin/sh\ncurl -s -H \"x-api-key: $KEY\" \"https://tip.example.com/api/v1/search/hash?request=$1\"\ncurl -s https://tip.example.com/graphql -d @query.json\ncurl -fsSL -o sdk.tgz \"https://dl.example.com/download?product=sdk&v=8.1\"\ncurl -fsSL \"https://dl.example.com/api/v2/sdk/latest?os=linux\" | tar xz -C vendor\ncurl -fsSLO \"https://dl.example.com/api/files/sdk-8.1.tar.gz\"\ncurl -fsSLO \"https://dl.example.com/sdk/download?v=8.1&os=linux\"\ncurl -s https://api.github.com/repos/vendor/sdk/releases/latest\n";
        assert_eq!(
            downloads("scripts/lookup.sh", sh),
            [
                "https://api.github.com/repos/vendor/sdk/releases/latest",
                "https://dl.example.com/api/files/sdk-8.1.tar.gz",
                "https://dl.example.com/api/v2/sdk/latest?os=linux",
                "https://dl.example.com/download?product=sdk&v=8.1",
                "https://dl.example.com/sdk/download?v=8.1&os=linux",
            ]
        );
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
