package lint

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/meshql/meshql/catalog"
	"github.com/meshql/meshql/catalog/policy"
)

// sunsetNotice is how long before its sunset a deprecated product is
// flagged, so that its consumers get a last warning.
const sunsetNotice = 30 * 24 * time.Hour

// DefaultRules returns the global rules every mesh follows, in report
// order. now is the time the sunset rules compare against.
func DefaultRules(now time.Time) []Rule {
	return []Rule{
		{ID: "owner", Severity: SeverityError,
			Message: "every product has an owner with a team and a contact",
			Hint:    "add owner: {team: ..., contact: ...}",
			Check:   perProduct(checkOwner)},
		{ID: "description", Severity: SeverityError,
			Message: "every product has a description",
			Hint:    "add description: what one row is and where it comes from",
			Check:   perProduct(checkDescription)},
		{ID: "sla", Severity: SeverityError,
			Message: "every product declares an SLA with freshness and availability",
			Hint:    "add sla: {freshness: 24h, availability: 99.5%}",
			Check:   perProduct(checkSLA)},
		{ID: "column-description", Severity: SeverityError,
			Message: "every column has a description",
			Hint:    "add description: to the column",
			Check:   perProduct(checkColumnDescriptions)},
		{ID: "pii-masked", Severity: SeverityError,
			Message: "every column tagged pii or pii.* is masked or denied for roles outside its domain",
			Hint:    "add policies.columns.<column>: {mask: hash, except: [<domain role>]} or {deny: true}",
			Check:   checkPII},
		{ID: "naming", Severity: SeverityError,
			Message: "descriptors are named <domain>/<name>_v<N>.yaml with a snake_case name",
			Hint:    "rename the product to lower-case words joined by single underscores and the file to match",
			Check:   perProduct(checkNaming)},
		{ID: "compat", Severity: SeverityError,
			Message: "a new version keeps every column of the previous active version, with the same type",
			Hint:    "keep the column, or deprecate the previous version with status: deprecated and a sunset date",
			Check:   checkCompat},
		{ID: "sunset", Severity: SeverityError,
			Message: "a deprecated product has a sunset date in the future",
			Hint:    "retire the product by deleting its descriptor, or move its sunset date",
			Check:   perProduct(func(p *catalog.Product) []Finding { return checkSunset(p, now) })},
		{ID: "sunset-notice", Severity: SeverityError,
			Message: "a deprecated product says since when (deprecated_since) and gives its consumers at least 30 days before its sunset",
			Hint:    "add deprecated_since: YYYY-MM-DD and set sunset at least 30 days later",
			Check:   perProduct(checkSunsetNotice)},
		{ID: "sunset-soon", Severity: SeverityWarning,
			Message: "a deprecated product reaches its sunset within 30 days",
			Hint:    "tell its consumers to move to the newer version",
			Check:   perProduct(func(p *catalog.Product) []Finding { return checkSunsetSoon(p, now) })},
		{ID: "inputs", Severity: SeverityError,
			Message: "a derived product (connector sql) lists its inputs and every input resolves",
			Hint:    "list the products the query reads under inputs: [domain.product_vN, ...]",
			Check:   checkInputs},
		{ID: "definer", Severity: SeverityError,
			Message: "a derived product with security: definer can read each of its inputs with its domain's rights",
			Hint:    "add the domain's role to the input's policies.read, or use security: invoker",
			Check:   checkDefiner},
		{ID: "draft", Severity: SeverityWarning,
			Message: "draft products are not served by default",
			Hint:    "set status: active once the product is ready",
			Check:   perProduct(checkDraft)},
	}
}

// perProduct lifts a check of one product into a check of the mesh.
func perProduct(check func(p *catalog.Product) []Finding) func(*catalog.Mesh) []Finding {
	return func(m *catalog.Mesh) []Finding {
		var out []Finding
		for _, p := range m.Products {
			out = append(out, check(p)...)
		}
		return out
	}
}

// at returns a finding located at product p (and column c when not nil).
func at(p *catalog.Product, c *catalog.Column, format string, args ...any) Finding {
	f := Finding{File: p.File, Line: p.Line, Product: p.QualifiedName(), Message: fmt.Sprintf(format, args...)}
	if c != nil {
		f.Column = c.Name
		if c.Line > 0 {
			f.Line = c.Line
		}
	}
	return f
}

func checkOwner(p *catalog.Product) []Finding {
	var missing []string
	if strings.TrimSpace(p.Owner.Team) == "" {
		missing = append(missing, "team")
	}
	if strings.TrimSpace(p.Owner.Contact) == "" {
		missing = append(missing, "contact")
	}
	if len(missing) == 0 {
		return nil
	}
	return []Finding{at(p, nil, "%s has no owner %s", p.QualifiedName(), strings.Join(missing, " or "))}
}

func checkDescription(p *catalog.Product) []Finding {
	if strings.TrimSpace(p.Description) != "" {
		return nil
	}
	return []Finding{at(p, nil, "%s has no description", p.QualifiedName())}
}

func checkSLA(p *catalog.Product) []Finding {
	var missing []string
	if p.SLA.Freshness <= 0 {
		missing = append(missing, "sla.freshness")
	}
	if strings.TrimSpace(p.SLA.Availability) == "" {
		missing = append(missing, "sla.availability")
	}
	if len(missing) == 0 {
		return nil
	}
	return []Finding{at(p, nil, "%s declares no %s", p.QualifiedName(), strings.Join(missing, " or "))}
}

func checkColumnDescriptions(p *catalog.Product) []Finding {
	var out []Finding
	for _, c := range p.Columns {
		if strings.TrimSpace(c.Description) == "" {
			out = append(out, at(p, c, "column %s of %s has no description", c.Name, p.QualifiedName()))
		}
	}
	return out
}

// isPII reports whether tags mark a column as personal data.
func isPII(tags []string) bool {
	for _, t := range tags {
		if t == "pii" || strings.HasPrefix(t, "pii.") {
			return true
		}
	}
	return false
}

// checkPII asks the policy decision point, for every role outside a
// product's domain (not holding the role named like it) that may read the
// product, whether it reads each PII column as stored: mesh.yaml's access
// rules and the product's column policies both count, as they do when
// the engine enforces them.
func checkPII(m *catalog.Mesh) []Finding {
	var out []Finding
	for _, p := range m.Products {
		var readers []string         // roles outside the domain that read p
		raw := map[string][]string{} // column -> those of readers that read it as stored
		for _, r := range m.Roles {
			who, _ := policy.RolePrincipal(m, r.Name)
			d := policy.Decide(m, who, p)
			if who.HasRole(p.Domain) || who.HasRole(policy.AdminRole) || !d.CanRead {
				continue
			}
			readers = append(readers, r.Name)
			for _, c := range p.Columns {
				if _, masked := d.Masks[c.Name]; isPII(c.Tags) && !masked && !d.Denied[c.Name] {
					raw[c.Name] = append(raw[c.Name], r.Name)
				}
			}
		}
		for _, c := range p.Columns {
			switch rs := raw[c.Name]; {
			case len(rs) == 0:
			case len(rs) == len(readers):
				out = append(out, at(p, c, "column %s of %s is tagged pii but neither masked nor denied", c.Name, p.QualifiedName()))
			default:
				for _, r := range rs {
					out = append(out, at(p, c, "column %s of %s is tagged pii but unmasked for role %s, outside domain %s", c.Name, p.QualifiedName(), r, p.Domain))
				}
			}
		}
	}
	return out
}

func checkNaming(p *catalog.Product) []Finding {
	var out []Finding
	if !isSnakeCase(p.Name) {
		out = append(out, at(p, nil, "product name %q is not snake_case", p.Name))
	}
	dir, base := filepath.Base(filepath.Dir(p.File)), filepath.Base(p.File)
	if want := p.TableName() + ".yaml"; base != want || dir != p.Domain {
		out = append(out, at(p, nil, "descriptor of %s is %s/%s, want %s/%s", p.QualifiedName(), dir, base, p.Domain, want))
	}
	return out
}

// checkCompat compares each version N+1 with version N of the same product
// when neither is deprecated: N+1 must keep N's columns and their types.
func checkCompat(m *catalog.Mesh) []Finding {
	var out []Finding
	prev := map[string]*catalog.Product{} // domain.name -> version N-1 seen so far
	for _, p := range m.Products {        // sorted by domain, name, version
		key := p.Domain + "." + p.Name
		old := prev[key]
		prev[key] = p
		if old == nil || old.Version != p.Version-1 || old.Deprecated() || p.Deprecated() {
			continue
		}
		for _, oc := range old.Columns {
			nc := p.Column(oc.Name)
			switch {
			case nc == nil:
				f := at(p, nil, "%s drops column %s of %s, which is not deprecated", p.QualifiedName(), oc.Name, old.QualifiedName())
				f.Column = oc.Name
				out = append(out, f)
			case nc.Type.String() != oc.Type.String():
				out = append(out, at(p, nc, "%s changes the type of column %s from %s (%s) to %s, and %s is not deprecated",
					p.QualifiedName(), oc.Name, oc.Type, old.QualifiedName(), nc.Type, old.QualifiedName()))
			}
		}
	}
	return out
}

// day formats t as a sunset date.
func day(t time.Time) string { return t.Format(catalog.SunsetLayout) }

func checkSunset(p *catalog.Product, now time.Time) []Finding {
	if !p.Deprecated() {
		return nil
	}
	if p.Sunset.IsZero() {
		return []Finding{at(p, nil, "%s is deprecated but has no sunset date", p.QualifiedName())}
	}
	if p.Retired(now) {
		return []Finding{at(p, nil, "%s is deprecated and its sunset date %s has passed (today is %s)", p.QualifiedName(), day(p.Sunset), day(now))}
	}
	return nil
}

func checkSunsetNotice(p *catalog.Product) []Finding {
	switch {
	case !p.Deprecated() || p.Sunset.IsZero():
		return nil
	case p.DeprecatedSince.IsZero():
		return []Finding{at(p, nil, "%s is deprecated but does not say since when (deprecated_since)", p.QualifiedName())}
	case p.Sunset.Sub(p.DeprecatedSince) < sunsetNotice:
		days := int(p.Sunset.Sub(p.DeprecatedSince).Hours() / 24)
		return []Finding{at(p, nil, "%s is deprecated since %s with its sunset %s, %s later; consumers need at least 30",
			p.QualifiedName(), day(p.DeprecatedSince), day(p.Sunset), plural(days, "day"))}
	}
	return nil
}

func checkSunsetSoon(p *catalog.Product, now time.Time) []Finding {
	if !p.Deprecated() || p.Sunset.IsZero() || p.Retired(now) || p.Sunset.Sub(now) > sunsetNotice {
		return nil
	}
	days := int(p.Sunset.Sub(now).Hours()/24 + 0.999)
	if days <= 0 {
		return []Finding{at(p, nil, "%s reaches its sunset date %s today", p.QualifiedName(), day(p.Sunset))}
	}
	return []Finding{at(p, nil, "%s reaches its sunset date %s in %s", p.QualifiedName(), day(p.Sunset), plural(days, "day"))}
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

func checkInputs(m *catalog.Mesh) []Finding {
	var out []Finding
	for _, p := range m.Products {
		if p.Source.Connector == "sql" && len(p.Inputs) == 0 {
			out = append(out, at(p, nil, "%s is derived by SQL but lists no inputs", p.QualifiedName()))
		}
		for _, in := range p.Inputs {
			domain, name, ok := strings.Cut(in, ".")
			if _, found := m.Lookup(domain, name); !ok || !found {
				out = append(out, at(p, nil, "input %q of %s does not resolve to a product of this mesh", in, p.QualifiedName()))
			}
		}
	}
	return out
}

func checkDraft(p *catalog.Product) []Finding {
	if p.Status != catalog.StatusDraft {
		return nil
	}
	return []Finding{at(p, nil, "%s is a draft", p.QualifiedName())}
}

// checkDefiner finds inputs a definer product could not read: querying it
// would fail with 42501 for every consumer.
func checkDefiner(m *catalog.Mesh) []Finding {
	var out []Finding
	for _, p := range m.Products {
		if p.Source.Security != catalog.SecurityDefiner {
			continue
		}
		who := policy.Definer(m, p)
		for _, in := range p.Inputs {
			domain, name, _ := strings.Cut(in, ".")
			if ip, found := m.Lookup(domain, name); found && !policy.Decide(m, who, ip).CanRead {
				out = append(out, at(p, nil, "%s reads its inputs as role %s, which may not read %s", p.QualifiedName(), p.Domain, in))
			}
		}
	}
	return out
}
