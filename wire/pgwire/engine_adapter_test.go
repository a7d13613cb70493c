package pgwire

import (
	"context"
	"testing"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/engine"
	"github.com/meshql/meshql/sqltypes"
)

// Minimal stand-ins with the method sets of *engine.Engine, *engine.Session
// and *engine.Statement.
type adEngine struct{}
type adSession struct{ closed *bool }
type adStatement struct{ declared []sqltypes.Type }

func (adEngine) Authenticate(context.Context, string, string) error { return nil }
func (adEngine) User(name string) (*catalog.User, bool) {
	if name == "analyst" {
		return &catalog.User{Name: name, Password: "analyst"}, true
	}
	return nil, false
}
func (adEngine) NewSession(string, map[string]string) (*adSession, error) {
	return &adSession{closed: new(bool)}, nil
}
func (s *adSession) Prepare(_ context.Context, _ string, pt ...sqltypes.Type) ([]*adStatement, error) {
	return []*adStatement{{declared: pt}}, nil
}
func (s *adSession) ReportedSettings() map[string]string { return map[string]string{"TimeZone": "UTC"} }
func (s *adSession) Close()                              { *s.closed = true }
func (s *adSession) ProcessID() int32                    { return 42 }
func (st *adStatement) ParamTypes() []sqltypes.Type      { return st.declared }
func (st *adStatement) Columns() []engine.Column         { return nil }
func (st *adStatement) Execute(context.Context, []sqltypes.Datum) (*engine.Result, error) {
	return &engine.Result{Tag: "SET", Notices: []*engine.Notice{{Msg: "hello"}}}, nil
}

func TestEngineBackend(t *testing.T) {
	b := EngineBackend[*adSession, *adStatement](adEngine{})
	ctx := context.Background()
	if secret, ok, err := b.(SecretSource).Secret(ctx, "analyst"); !ok || err != nil || secret != "analyst" {
		t.Fatalf("Secret: %q %v %v", secret, ok, err)
	}
	if _, ok, _ := b.(SecretSource).Secret(ctx, "ghost"); ok {
		t.Fatal("unknown user found")
	}
	s, err := b.NewSession("analyst", nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.(ProcessIDer).ProcessID() != 42 {
		t.Fatal("ProcessID not forwarded")
	}
	sts, err := s.Prepare(ctx, "x", sqltypes.TypeInt8)
	if err != nil || len(sts) != 1 || len(sts[0].ParamTypes()) != 1 {
		t.Fatalf("Prepare: %v %v", sts, err)
	}
	rows, err := sts[0].Execute(ctx, []sqltypes.Datum{int64(1)})
	if err != nil {
		t.Fatal(err)
	}
	if rows.(NoticeSource).Notices()[0].Msg != "hello" || rows.CommandTag() != "SET" {
		t.Fatal("result not adapted")
	}
	if err := drain(ctx, rows); err != nil {
		t.Fatal(err)
	}
	_ = rows.Close()
	s.Close()
}
