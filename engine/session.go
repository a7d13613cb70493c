package engine

import (
	"context"
	"maps"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/catalog/policy"
	"github.com/meshql/meshql/executor/membudget"
	"github.com/meshql/meshql/planner/bind"
	"github.com/meshql/meshql/sqltypes"
)

// Session is one client's connection state: its user, roles and settings.
// A Session is used by one goroutine at a time (one statement at a time,
// as on a PostgreSQL connection).
type Session struct {
	engine *Engine
	user   string
	pid    int32
	closed atomic.Bool
	// started is when the session began, for mesh.sessions.
	started time.Time
	// clientAddr and serverAddr are the connection's ends (SetConnAddrs).
	clientAddr, serverAddr net.Addr
	// running is the running query (nil when idle), lastSQL the text of
	// the last one started, lastStart when it started and lastEnd when the
	// last one ended; all are guarded by the engine's registry lock.
	running *runningQuery
	// held are the queries that were running when a later one started and
	// are still registered, oldest first: a portal suspended between two
	// Executes, or a Flight SQL stream. When the running query ends, the
	// last of them is running again (a cancel request reaches it).
	held []*runningQuery
	// terminate ends the session's connection (SetTerminate), under the
	// registry lock; nil where nothing can (meshql query, Flight SQL).
	terminate func()
	lastSQL   string
	lastStart time.Time
	lastEnd   time.Time

	// cursors are the open DECLAREd cursors by name; like the rest of
	// the statement state, only the session's goroutine touches them.
	cursors map[string]*cursor
	// cursorSeq numbers the cursors declared (cursor.seq).
	cursorSeq int
	// prepared are the statements SQL PREPARE named (EXECUTE runs them);
	// only the session's goroutine touches them.
	prepared map[string]*Statement
	// inTx is whether a BEGIN is open. meshql is read-only and has no
	// transactions to commit, but clients see the block (ReadyForQuery
	// status 'T') and portals and cursors live until its end.
	inTx bool
	// txFailed is whether a statement failed inside the open block: as in
	// PostgreSQL, everything but COMMIT and ROLLBACK is then refused
	// (25P02) and ReadyForQuery reports 'E', so that clients that roll
	// back on that signal behave as they do against PostgreSQL.
	txFailed bool
	// shownTx is inTx and txFailed as other sessions' pg_stat_activity
	// reads them (idle in transaction, aborted), and shownTxStart the
	// block's start in Unix microseconds; showTx updates both.
	shownTx      atomic.Int32
	shownTxStart atomic.Int64
	// blockEnded is set by a COMMIT or ROLLBACK that ended an open block,
	// to "commit" or "rollback", for countTransaction.
	blockEnded string
	// savepoints are the open block's savepoints, oldest first (a name
	// may repeat: RELEASE and ROLLBACK TO find the newest).
	savepoints []savepoint
	// tx is the open transaction's start (clock.go); only the session's
	// goroutine touches it.
	tx txClock

	mu     sync.Mutex
	values map[string]string
	// txSettings holds, for each setting changed in the open transaction
	// block, what its end puts back.
	txSettings map[string]*txSetting
	defs       map[string]setting
	// view is the catalog the current statement runs on and the session's
	// principal (roles expanded, attributes) in it, as the policy decision
	// point sees it; recomputed only when the catalog was reloaded.
	view catalogSnapshot
	// rels are the relations the session saw last, for relsKey
	// (relations).
	rels    *relations
	relsKey relationsKey
}

// catalogSnapshot is one catalog and a principal resolved in it.
type catalogSnapshot struct {
	mesh *catalog.Mesh
	who  policy.Principal
}

// snapshot returns the engine's current catalog and the session's
// principal in it, and makes it the session's view for the statement
// being analyzed (system tables and session functions read it).
func (s *Session) snapshot() catalogSnapshot {
	m := s.engine.Mesh()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.view.mesh != m {
		s.view = catalogSnapshot{mesh: m, who: policy.PrincipalOf(m, s.user)}
	}
	return s.view
}

// current returns the session's view without taking a new snapshot.
func (s *Session) current() catalogSnapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.view
}

// NewSession starts a session for an authenticated user. startup holds the
// parameters a client sent at connection start (application_name,
// client_encoding, options…); unknown ones are ignored as PostgreSQL does
// for GUCs it does not know only when prefixed, so they are kept as custom
// settings here.
func (e *Engine) NewSession(user string, startup map[string]string) (*Session, error) {
	s := &Session{engine: e, user: user, values: map[string]string{}, defs: map[string]setting{}, pid: e.nextPID.Add(1), started: e.clock()}
	for _, st := range settingsTable() {
		if st.name == "statement_timeout" && e.stmtTimeout > 0 {
			st.def = strconv.FormatInt(e.stmtTimeout.Milliseconds(), 10)
		}
		s.defs[st.name] = st
		s.values[st.name] = st.def
	}
	s.values["session_authorization"] = user
	s.defs[membudget.Setting], s.values[membudget.Setting] = e.queryMemorySetting()
	if sp := s.snapshot().mesh.SearchPath; len(sp) > 0 {
		// The mesh names the domains unqualified names resolve in first.
		s.values["search_path"] = strings.Join(sp, ", ") + `, "$user", public`
		st := s.defs["search_path"]
		st.def = s.values["search_path"]
		s.defs["search_path"] = st
	}
	opts, err := parseStartupOptions(startup["options"])
	if err != nil {
		return nil, err
	}
	for k, v := range startup {
		k = strings.ToLower(k)
		switch k {
		case "user", "database", "options", "replication":
			continue
		}
		if _, err := s.set(k, v); err != nil {
			return nil, err
		}
	}
	// The options parameter (libpq's PGOPTIONS, "-c name=value ...")
	// applies after the other parameters, as in PostgreSQL.
	for _, o := range opts {
		if _, err := s.set(o[0], o[1]); err != nil {
			return nil, err
		}
	}
	// Counted only once it cannot fail any more: Close is not called on
	// a session NewSession did not return.
	e.metrics.sessions.Add(1)
	e.metrics.sessionsTotal.Add(1)
	e.reg.addSession(s)
	return s, nil
}

// parseStartupOptions reads the startup packet's options parameter as
// PostgreSQL does for settings: whitespace-separated "-c name=value" or
// "--name=value" items, a backslash escaping the next character (a
// space inside a value). Dashes in names are underscores. Server
// command-line switches other than -c are refused (08P01 is what
// PostgreSQL sends for a bad one; 0A000 here, as none is supported).
func parseStartupOptions(options string) ([][2]string, error) {
	var words []string
	var cur strings.Builder
	inWord, escaped := false, false
	for _, r := range options {
		switch {
		case escaped:
			cur.WriteRune(r)
			escaped, inWord = false, true
		case r == '\\':
			escaped, inWord = true, true
		case r == ' ' || r == '\t' || r == '\n' || r == '\r':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	var out [][2]string
	for i := 0; i < len(words); i++ {
		item, w := "", words[i]
		switch {
		case w == "-c" && i+1 < len(words):
			i++
			item = words[i]
		case strings.HasPrefix(w, "-c") && len(w) > 2:
			item = w[2:]
		case strings.HasPrefix(w, "--") && len(w) > 2:
			item = w[2:]
		default:
			return nil, sqltypes.New(sqltypes.CodeFeatureNotSupported, "startup option %q is not supported", w).
				WithHint("Set parameters with -c name=value, e.g. PGOPTIONS='-c search_path=sales'.")
		}
		name, value, ok := strings.Cut(item, "=")
		if !ok {
			if strings.HasPrefix(w, "--") {
				return nil, sqltypes.New(sqltypes.CodeSyntaxError, "--%s requires a value", item)
			}
			return nil, sqltypes.New(sqltypes.CodeSyntaxError, "-c %s requires a value", item)
		}
		out = append(out, [2]string{strings.ReplaceAll(name, "-", "_"), value})
	}
	return out, nil
}

// InTransaction reports whether the session is inside BEGIN … COMMIT.
func (s *Session) InTransaction() bool { return s.inTx }

// FailTransaction records that a statement failed; inside a transaction
// block that aborts the block, in an implicit transaction the front holds
// it makes its end undo its settings (EndImplicitTransaction). The wire
// calls it for every error it sends, including those raised while rows
// stream.
func (s *Session) FailTransaction() {
	s.txFailed = s.inTx
	if s.inImplicit() {
		s.tx.implicitFailed = true
	}
	s.showTx()
}

// Transaction states as pg_stat_activity shows them (shownTx).
const (
	txNone int32 = iota
	txOpen
	txAborted
)

// showTx publishes the block's state for pg_stat_activity.
func (s *Session) showTx() {
	state := txNone
	switch {
	case s.txFailed:
		state = txAborted
	case s.inTx:
		state = txOpen
	}
	s.shownTx.Store(state)
	// A failure with no savepoint open aborts the block's transaction
	// itself, which then has no start in PostgreSQL's view; under a
	// savepoint only the subtransaction is aborted.
	if state == txNone || (state == txAborted && len(s.savepoints) == 0) {
		s.shownTxStart.Store(0)
	} else {
		s.shownTxStart.Store(s.tx.start.UnixMicro())
	}
}

// TransactionFailed reports whether the open block has failed.
func (s *Session) TransactionFailed() bool { return s.txFailed }

// User is the session's user name.
func (s *Session) User() string { return s.user }

// ProcessID is the session's backend PID (for BackendKeyData).
func (s *Session) ProcessID() int32 { return s.pid }

// Close ends the session; it is idempotent.
func (s *Session) Close() {
	if s.closed.CompareAndSwap(false, true) {
		s.closeCursors(true /* all */)
		s.engine.metrics.sessions.Add(-1)
		s.engine.metrics.sessionMicros.Add(s.engine.clock().Sub(s.started).Microseconds())
		s.engine.reg.removeSession(s)
	}
}

// ReportedSettings returns the settings PostgreSQL reports with
// ParameterStatus, keyed by their canonical names.
func (s *Session) ReportedSettings() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]string{"session_authorization": s.user}
	for name, st := range s.defs {
		if st.reported {
			out[canonical(name)] = s.values[name]
		}
	}
	return out
}

// Setting returns a setting's current value.
func (s *Session) Setting(name string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.values[strings.ToLower(name)]
	return v, ok
}

// txSetting is how the end of a transaction block leaves a setting it
// changed: ROLLBACK puts back its value at BEGIN, COMMIT the last value a
// plain SET gave it in the block (or its value at BEGIN if only SET LOCAL
// changed it), as in PostgreSQL. nil means unset (a custom setting).
type txSetting struct {
	atStart, atCommit *string
}

// set changes a setting for the session (SET, set_config(…, false)); it
// returns the normalized value. Inside a transaction block, ROLLBACK
// undoes it.
func (s *Session) set(name, value string) (string, error) {
	return s.assign(name, value, false)
}

// setLocal changes a setting for the rest of the transaction block (SET
// LOCAL, set_config(…, true)). Outside a block the change would end with
// the statement, so it is only checked and its normalized value returned.
func (s *Session) setLocal(name, value string) (string, error) {
	return s.assign(name, value, true)
}

func (s *Session) assign(name, value string, local bool) (string, error) {
	name = strings.ToLower(name)
	s.mu.Lock()
	defer s.mu.Unlock()
	st, known := s.defs[name]
	if !known && !strings.Contains(name, ".") {
		return "", sqltypes.New(sqltypes.CodeUndefinedObject, "unrecognized configuration parameter %q", name)
	}
	if st.fixed {
		return "", sqltypes.New("55P02", "parameter %q cannot be changed", name)
	}
	if st.check != nil {
		v, err := st.check(value, s.values[name])
		if err != nil {
			return "", err
		}
		value = v
	}
	if local && !s.inTx {
		return value, nil
	}
	s.remember(name, local, &value)
	s.values[name] = value
	return value, nil
}

// remember notes, inside a transaction block or an implicit transaction
// a front holds open, that key is about to be set to v (nil: unset),
// locally or for the session; s.mu is held.
func (s *Session) remember(key string, local bool, v *string) {
	if !s.inTx && !s.inImplicit() {
		return
	}
	ts, ok := s.txSettings[key]
	if !ok {
		var cur *string
		if old, had := s.values[key]; had {
			cur = &old
		}
		ts = &txSetting{atStart: cur, atCommit: cur}
		if s.txSettings == nil {
			s.txSettings = map[string]*txSetting{}
		}
		s.txSettings[key] = ts
	}
	if !local {
		ts.atCommit = v
	}
}

// savepoint is an open SAVEPOINT and the settings as it found them:
// ROLLBACK TO puts them back, as PostgreSQL undoes the SETs (SET LOCAL
// ones too) of the subtransactions it rolls back.
type savepoint struct {
	name       string
	values     map[string]string
	txSettings map[string]*txSetting
}

// newSavepoint opens savepoint name on the session's current settings.
func (s *Session) newSavepoint(name string) savepoint {
	s.mu.Lock()
	defer s.mu.Unlock()
	return savepoint{name: name, values: maps.Clone(s.values), txSettings: cloneTxSettings(s.txSettings)}
}

// rollbackSettings puts the settings back as sp found them; sp stays open
// (a later ROLLBACK TO it rolls back to the same state).
func (s *Session) rollbackSettings(sp savepoint) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.values = maps.Clone(sp.values)
	s.txSettings = cloneTxSettings(sp.txSettings)
}

func cloneTxSettings(m map[string]*txSetting) map[string]*txSetting {
	if m == nil {
		return nil
	}
	out := make(map[string]*txSetting, len(m))
	for k, ts := range m {
		c := *ts
		out[k] = &c
	}
	return out
}

// endTransaction ends the transaction block's changes to settings: kept
// (but for SET LOCAL ones) on commit, all undone otherwise.
func (s *Session) endTransaction(commit bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, ts := range s.txSettings {
		v := ts.atStart
		if commit {
			v = ts.atCommit
		}
		s.restore(k, v)
	}
	s.txSettings = nil
}

// restore sets key back to v (nil: unset); s.mu is held.
func (s *Session) restore(key string, v *string) {
	if v == nil {
		delete(s.values, key)
		return
	}
	s.values[key] = *v
}

// reset puts a setting (or "all") back to its default, for the session or
// (local) for the rest of the transaction block.
func (s *Session) reset(name string, local bool) error {
	name = strings.ToLower(name)
	s.mu.Lock()
	defer s.mu.Unlock()
	if local && !s.inTx {
		return nil
	}
	if name == "all" {
		for n, st := range s.defs {
			if !st.fixed {
				def := st.def
				s.remember(n, local, &def)
				s.values[n] = def
			}
		}
		for n := range s.values {
			if _, known := s.defs[n]; !known && strings.Contains(n, ".") {
				// A custom setting stays defined, empty, as PostgreSQL
				// keeps a placeholder after RESET ALL.
				empty := ""
				s.remember(n, local, &empty)
				s.values[n] = empty
			}
		}
		return nil
	}
	st, ok := s.defs[name]
	if !ok {
		if strings.Contains(name, ".") {
			s.remember(name, local, nil)
			delete(s.values, name)
			return nil
		}
		return sqltypes.New(sqltypes.CodeUndefinedObject, "unrecognized configuration parameter %q", name)
	}
	def := st.def
	s.remember(name, local, &def)
	s.values[name] = def
	return nil
}

// Location is the session's TimeZone setting, in which timestamptz
// values are shown (UTC when the setting is not a zone meshql knows).
func (s *Session) Location() *time.Location { return s.location() }

func (s *Session) location() *time.Location {
	tz, _ := s.Setting("timezone")
	if _, loc, ok := sqltypes.TimeZoneSetting(tz); ok {
		return loc
	}
	return time.UTC
}

// DateStyle is the session's DateStyle and IntervalStyle settings, in
// which dates, timestamps and intervals are shown.
func (s *Session) DateStyle() sqltypes.DateStyle { return s.dateStyle() }

func (s *Session) dateStyle() sqltypes.DateStyle {
	ds, _ := s.Setting("datestyle")
	is, _ := s.Setting("intervalstyle")
	return sqltypes.SessionDateStyle(ds, is)
}

// IdleInTransactionTimeout is the session's
// idle_in_transaction_session_timeout: how long it may wait for its
// client inside a transaction block (0: no limit).
func (s *Session) IdleInTransactionTimeout() time.Duration {
	v, _ := s.Setting("idle_in_transaction_session_timeout")
	d, _ := parseDurationSetting(v)
	return d
}

func (s *Session) statementTimeout() time.Duration {
	v, _ := s.Setting("statement_timeout")
	d, _ := parseDurationSetting(v)
	return d
}

func (s *Session) workers() int {
	v, _ := s.Setting("mesh.workers")
	n := 0
	for _, c := range v {
		if c < '0' || c > '9' {
			return s.engine.workers
		}
		n = n*10 + int(c-'0')
	}
	if n <= 0 {
		return s.engine.workers
	}
	return n
}

// searchPath returns the schemas unqualified names are looked up in.
func (s *Session) searchPath() []string {
	v, _ := s.Setting("search_path")
	return s.parseSearchPath(v)
}

// parseSearchPath reads a search_path setting's schemas ($user: the
// session's user).
func (s *Session) parseSearchPath(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		p = strings.Trim(strings.TrimSpace(p), `"`)
		if p == "$user" {
			p = s.user
		}
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

// catalogView resolves names for the binder with this session's rights,
// in one catalog snapshot. When system is set, it records whether the
// statement named a system table (or tried to), so that a catalog query
// meshql cannot answer is logged.
type catalogView struct {
	s      *Session
	snap   catalogSnapshot
	access *bind.Access // audit record of the statement being bound
	system *bool
}

func (c catalogView) ResolveTable(ctx context.Context, schema, name string, who policy.Principal) (*bind.Table, error) {
	if c.system != nil && (systemSchemas[schema] || (schema == "" && strings.HasPrefix(name, "pg_"))) {
		*c.system = true
	}
	if st, ok := lookupSystem(schema, name); ok {
		return c.s.bindSystem(ctx, st)
	}
	if systemSchemas[schema] {
		return nil, unknownSystemTable(schema, name)
	}
	mesh := c.snap.mesh
	var p *catalog.Product
	if schema == "" {
		for _, sp := range c.s.searchPath() {
			if found, ok := mesh.Lookup(sp, name); ok {
				p = found
				break
			}
		}
		if p == nil {
			err := sqltypes.New(sqltypes.CodeUndefinedTable, "relation %q does not exist", name)
			if sugg := mesh.Suggest(name, 3); len(sugg) > 0 {
				err = err.WithHint("Data products are named domain.product_vN; perhaps you meant %s.", quoteList(sugg))
			}
			return nil, err
		}
	} else {
		var err error
		if p, err = mesh.Resolve(schema, name); err != nil {
			return nil, err
		}
	}
	if !policy.Decide(mesh, who, p).CanRead {
		c.access.Deny(p.QualifiedName())
		return nil, sqltypes.New(sqltypes.CodeInsufficientPrivilege, "permission denied for data product %s", p.QualifiedName()).
			WithHint("Readers of %s need one of the roles: %s.", p.QualifiedName(), strings.Join(p.Policies.Read, ", "))
	}
	return c.s.engine.bindTable(ctx, p)
}

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = `"` + n + `"`
	}
	return strings.Join(q, " or ")
}

// bindTable describes a product for the binder, opening its source and
// checking the declared columns against what the source delivers.
func (e *Engine) bindTable(ctx context.Context, p *catalog.Product) (*bind.Table, error) {
	t := &bind.Table{Product: p, Name: p.QualifiedName()}
	if p.Source.Connector == "sql" {
		t.DefiningSQL = p.Source.Query
		for _, c := range p.Columns {
			t.Columns = append(t.Columns, bind.TableColumn{Name: c.Name, Type: c.Type, SourceIndex: -1, SourceType: c.Type})
		}
		return t, nil
	}
	src, err := e.table(ctx, p)
	if err != nil {
		return nil, err
	}
	schema := src.Schema()
	for _, c := range p.Columns {
		idx := schema.FieldIndices(c.Name)
		if len(idx) == 0 {
			return nil, sqltypes.New(sqltypes.CodeFDWError, "data product %s breaks its contract: column %s is declared, but its source has no such column", p.QualifiedName(), c.Name).
				WithHint("The source no longer matches the product's contract; tell the owner (%s).", p.Owner.Contact)
		}
		st, err := sqltypes.FieldType(schema.Field(idx[0]))
		if err != nil {
			return nil, sqltypes.Wrap(err, sqltypes.CodeFDWError, "data product %s, column %s: %v", p.QualifiedName(), c.Name, err)
		}
		if err := contractColumn(p, c, st); err != nil {
			return nil, err
		}
		t.Columns = append(t.Columns, bind.TableColumn{Name: c.Name, Type: c.Type, SourceIndex: idx[0], SourceType: st})
	}
	t.Source = src
	return t, nil
}
