// Package branding keeps a tenant's company branding (issue item 7): the
// logo, accent colour, sign-in page text and privacy statement URL that
// guest pages, the consent page and mails show, and the passcode-in-subject
// setting (R53). It checks every value before it is stored, so what the
// pages and mails show needs no further escaping beyond their templates'.
package branding
