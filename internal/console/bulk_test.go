package console

import "testing"

func TestBulkHeader(t *testing.T) {
	for _, tc := range []struct {
		header []string
		ok     bool
		email  int
	}{
		{[]string{"email", "displayName", "redirectUrl", "sendInvitation"}, true, 0},
		{[]string{"DisplayName", " EMAIL "}, true, 1},
		{[]string{"displayName"}, false, 0},
		{[]string{"email", "role"}, false, 0},
		{[]string{"email", "email"}, false, 0},
	} {
		cols, ok := bulkHeader(tc.header)
		if ok != tc.ok || (ok && cols["email"] != tc.email) {
			t.Errorf("bulkHeader(%q) = %v, %v", tc.header, cols, ok)
		}
	}
}

func TestBulkRequestSend(t *testing.T) {
	cols, _ := bulkHeader([]string{"email", "sendInvitation"})
	for send, want := range map[string]bool{"yes": true, "YES": true, "1": true, "true": true, "no": false, "": false, "0": false} {
		b := bulkRequest(2, []string{"ann@contoso.example", send}, cols)
		if b.problem != "" || b.req.SendInvitationMessage != want {
			t.Errorf("sendInvitation %q: %+v", send, b)
		}
	}
	if b := bulkRequest(2, []string{"ann@contoso.example", "maybe"}, cols); b.problem != "console.bulk.badsend" {
		t.Errorf("sendInvitation maybe: %+v", b)
	}
	// A short row leaves the missing columns empty.
	if b := bulkRequest(3, []string{"ann@contoso.example"}, cols); b.problem != "" || b.req.Email != "ann@contoso.example" {
		t.Errorf("short row: %+v", b)
	}
}
