use super::join_literals;

#[test]
fn joined_literals_read_as_one() {
    let cases = [
        (
            r#"const V: &str = concat!("AO Kasp", "ersky Lab");"#,
            r#"const V: &str = concat!("AO Kaspersky Lab");"#,
        ),
        (
            r#"char *c = "Copyright AO Kas" "persky Lab";"#,
            r#"char *c = "Copyright AO Kaspersky Lab";"#,
        ),
        (r#"v = 'Kasp' + 'ersky' + " Lab""#, r#"v = 'Kaspersky Lab'"#),
        (r#"$v = 'Kasp' . 'ersky';"#, r#"$v = 'Kaspersky';"#),
        (r#"x = "a\"b" .. "c""#, r#"x = "a\"bc""#),
    ];
    for (line, want) in cases {
        assert_eq!(join_literals(line).as_deref(), Some(want), "{line}");
    }
}

#[test]
fn lists_calls_and_lone_quotes_are_not_joined() {
    for line in [
        r#"VENDORS = ["kasp", "ersky"]"#,
        r#"f("Kasp", "ersky")"#,
        r#"it's a "single" literal"#,
        r#"fn f<'a>(x: &'a str) -> &'a str"#,
        r#"println!("{}", "x") ; let y = "z";"#,
        "no quotes at all",
    ] {
        assert_eq!(join_literals(line), None, "{line}");
    }
}
