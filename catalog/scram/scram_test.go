package scram

import "testing"

// pgVerifier has PostgreSQL's layout (the salt of RFC 7677's example);
// wire/pgwire's TestSCRAMVector checks Derive against RFC 7677's exchange.
const pgVerifier = "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU="

func TestParseAndCheck(t *testing.T) {
	v, ok := Parse(pgVerifier)
	if !ok {
		t.Fatal("PostgreSQL's verifier does not parse")
	}
	if v.Iterations != 4096 || v.String() != pgVerifier {
		t.Errorf("round trip: %s", v)
	}
	for _, bad := range []string{"pencil", "SCRAM-SHA-256$4096:abc", "SCRAM-SHA-256$x:W22ZaJ0SNY7soEsUEjb6gQ==$a:b", "md5abc"} {
		if _, ok := Parse(bad); ok {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
}

func TestNewDerivesCheckableVerifiers(t *testing.T) {
	a, err := New("s3cret pass")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := New("s3cret pass")
	if a.String() == b.String() {
		t.Error("two verifiers of one password share a salt")
	}
	p, ok := Parse(a.String())
	if !ok || !p.Check("s3cret pass") || p.Check("s3cret pas") || p.Check("") {
		t.Errorf("Check of a new verifier: parsed %v", ok)
	}
}
