package lint

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// String formats f as "file:line: severity rule: message (hint)", leaving
// out the line when unknown and the hint when empty.
func (f Finding) String() string {
	var b strings.Builder
	b.WriteString(f.File)
	if f.Line > 0 {
		fmt.Fprintf(&b, ":%d", f.Line)
	}
	fmt.Fprintf(&b, ": %s %s: %s", f.Severity, f.Rule, f.Message)
	if f.Hint != "" {
		fmt.Fprintf(&b, " (%s)", f.Hint)
	}
	return b.String()
}

// Summary says how many errors and warnings fs holds, e.g.
// "2 errors, 1 warning", or "no findings".
func Summary(fs []Finding) string {
	errs, warns := Count(fs)
	if errs+warns == 0 {
		return "no findings"
	}
	return plural(errs, "error") + ", " + plural(warns, "warning")
}

// WriteText writes one finding per line, then the summary line.
func WriteText(w io.Writer, fs []Finding) error {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(f.String())
		b.WriteByte('\n')
	}
	b.WriteString(Summary(fs))
	b.WriteByte('\n')
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteJSON writes the findings as an indented JSON array ([] when none).
func WriteJSON(w io.Writer, fs []Finding) error {
	if fs == nil {
		fs = []Finding{}
	}
	data, err := json.MarshalIndent(fs, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(data, '\n'))
	return err
}

// junitSuite is a JUnit XML <testsuite>, as CI systems read it.
type junitSuite struct {
	XMLName  xml.Name    `xml:"testsuite"`
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes a JUnit XML testsuite with one testcase per rule (and
// one for "load" when the mesh did not load, one for "rules" when
// mesh.yaml's rules settings name unknown rules). A rule of severity error with
// findings fails; the findings of a warning rule go to its system-out, so
// warnings show up without failing the build. tool names the gate
// ("lint", "check"): the suite is "meshql <tool>", the class "meshql.<tool>".
func WriteJUnit(w io.Writer, tool string, rules []Rule, fs []Finding) error {
	byRule := map[string][]Finding{}
	for _, f := range fs {
		byRule[f.Rule] = append(byRule[f.Rule], f)
	}
	s := junitSuite{Name: "meshql " + tool}
	add := func(id, severity, message string) {
		c := junitCase{Name: id, Classname: "meshql." + tool}
		if found := byRule[id]; len(found) > 0 {
			lines := make([]string, len(found))
			for i, f := range found {
				lines[i] = f.String()
			}
			text := strings.Join(lines, "\n")
			if severity == SeverityError {
				c.Failure = &junitFailure{Message: fmt.Sprintf("%s: %s", message, plural(len(found), "finding")), Type: id, Text: text}
				s.Failures++
			} else {
				c.SystemOut = text
			}
		}
		s.Cases = append(s.Cases, c)
	}
	if len(byRule[LoadRule]) > 0 {
		add(LoadRule, SeverityError, "the mesh loads")
	}
	if len(byRule[ConfigRule]) > 0 {
		add(ConfigRule, SeverityError, "mesh.yaml's rules name existing rules")
	}
	for _, r := range rules {
		add(r.ID, r.Severity, r.Message)
	}
	s.Tests = len(s.Cases)
	data, err := xml.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s%s\n", xml.Header, data)
	return err
}
