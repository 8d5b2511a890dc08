//! Evidence stage, notice words: the words that make a line or a string a notice (attribution
//! of the name written after them) rather than a mention. One list for the text scan
//! (`deep::text`, which also reads the words that follow a holder's name) and the binary scan
//! (`binary::is_notice`); a leaf module, so neither scan depends on the other for it.

/// Notice words that attribute the name written after them (`Copyright (c) 2024 <holder>`).
pub const NOTICE_BEFORE: &[&str] = &[
    "copyright",
    "(c)",
    "©",
    "licensed by",
    "licensor",
    // An SPDX licence reference a package is distributed under (`LicenseRef-<vendor>-EULA`):
    // the terms are the licensor's own, named by it.
    "licenseref-",
    // Who made it, in so many words (`Developed by <maker>`, `Powered by <engine>`): the
    // maker, or the engine the thing is built on. Not `published by`,
    // `written by`, `created by`: security prose cites research that way.
    "developed by",
    "made by",
    "manufactured by",
    "powered by",
    "built by",
    // Proprietary-code headers (`This software is the confidential and proprietary
    // information of <holder>`, `Property of <holder>`), documentation's and code's own author
    // fields (`@author`, Python's `__author__ = "…"`), and the AUTHOR section of a Perl POD or
    // a manual page, whose holder is on the line after.
    "proprietary information of",
    "confidential information of",
    "property of",
    "@author",
    "@copyright",
    "__author__ =",
    "__author__=",
    "__maintainer__ =",
    "__maintainer__=",
    "__copyright__ =",
    "__copyright__=",
    "=head1 author",
    ".sh author",
    "ⓒ",
    "разработ",
    "авторск",
    "правообладател",
    // Japanese, Chinese (simplified and traditional) and Korean for "copyright".
    "著作権",
    "版权",
    "版權",
    "저작권",
];
