package i18n

// Term is how one language names one concept: the word every message uses,
// and the variants that must not appear, because a guest reading two words
// for one thing wonders whether they are two things.
type Term struct {
	Required  string
	Forbidden []string
}

// Glossary maps a language to its concepts and their terms. It lists only
// the concepts whose wording has drifted before; TestGlossary holds every
// catalog to it.
var Glossary = map[string]map[string]Term{
	"de": {
		// The one-time passcode mailed to a guest: "Code", as on the
		// buttons ("Code senden", "Code eingeben").
		"passcode": {Required: "Code", Forbidden: []string{"Einmalkennung", "Prüfcode", "Kennung"}},
	},
	"zh-TW": {
		// The one-time passcode mailed to a guest.
		"passcode": {Required: "單次密碼", Forbidden: []string{"驗證碼", "一次性密碼", "驗證代碼"}},
	},
}
