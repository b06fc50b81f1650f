// Package i18n holds the message catalogs of every word a guest reads —
// pages, consent and emails — in English, Dutch, Swedish, German and
// Traditional Chinese (SPEC R53), and picks a language from what a browser
// or an invitation asks for.
package i18n
