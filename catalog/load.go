package catalog

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// MeshFile is the name of a mesh folder's configuration file.
const MeshFile = "mesh.yaml"

// PoliciesFile is the optional file beside mesh.yaml that holds the
// mesh's global policy settings (rules), so that a platform team can own
// them apart from users, roles and connections.
const PoliciesFile = "policies.yaml"

// LoadOptions tune Load.
type LoadOptions struct {
	// DataDir, when set, is the directory relative source paths resolve
	// against (Source.BaseDir); otherwise they resolve against the mesh
	// folder. It is made absolute but not required to exist.
	DataDir string
	// MaskKey is the hash mask's key for a mesh whose mesh.yaml names none
	// (see EnsureKeyFile for a per-installation key).
	MaskKey string
}

// Load reads and validates the mesh folder dir: mesh.yaml and every
// <domain>/<product>_v<N>.yaml descriptor. Sub-folders holding no YAML file
// (data, for example) and names starting with "." or "_" are skipped.
//
// On any validation problem Load returns a nil Mesh and a *LoadError that
// lists every problem found, each located as "file:line: field: what".
// File names in problems start with dir as given. I/O errors other than a
// missing file are returned as they are.
func Load(dir string, opts LoadOptions) (*Mesh, error) {
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	baseDir := absDir
	if opts.DataDir != "" {
		if baseDir, err = filepath.Abs(opts.DataDir); err != nil {
			return nil, err
		}
	}
	ps := &problems{}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		ps.add(dir, 0, "", "is not a mesh folder: it does not exist or is not a directory")
		return nil, ps.err()
	}

	mc, err := loadMeshFile(dir, ps)
	if err != nil {
		return nil, err
	}
	if err := loadPoliciesFile(dir, mc, ps); err != nil {
		return nil, err
	}
	loaded, err := loadDescriptors(dir, baseDir, mc, ps)
	if err != nil {
		return nil, err
	}
	m := &Mesh{
		Name:        mc.name,
		Description: mc.description,
		SearchPath:  mc.searchPath,
		Dir:         absDir,
		Domains:     mc.domains,
		Users:       mc.users,
		Roles:       mc.roles,
		Rules:       mc.rules,
		Access:      mc.access,
	}
	m.MaskKey, m.MaskKeySource = resolveMaskKey(mc.maskKey, filepath.Join(dir, MeshFile), absDir, opts.MaskKey, ps)
	for _, lp := range loaded {
		m.Products = append(m.Products, lp.p)
	}
	sortProducts(m.Products)
	checkCrossFile(m, loaded)
	checkAccessTypes(m, ps)
	if err := ps.err(); err != nil {
		return nil, err
	}
	return m, nil
}

// loadMeshFile reads mesh.yaml; a missing or broken file is a problem, and
// its roles are then unknown (nil), which turns off role checks.
func loadMeshFile(dir string, ps *problems) (*meshConfig, error) {
	file := filepath.Join(dir, MeshFile)
	data, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		ps.add(file, 0, "", "is missing: every mesh folder needs one")
		return &meshConfig{}, nil
	}
	if err != nil {
		return nil, err
	}
	y := &yamlFile{file: file, ps: ps}
	root := y.parse(data)
	if root == nil {
		return &meshConfig{}, nil
	}
	return y.meshFile(root), nil
}

// loadPoliciesFile reads policies.yaml when there is one: its rules are
// added to mesh.yaml's. A rule set in both files is a problem, so that
// no one has to guess which one wins.
func loadPoliciesFile(dir string, mc *meshConfig, ps *problems) error {
	file := filepath.Join(dir, PoliciesFile)
	data, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	y := &yamlFile{file: file, ps: ps}
	root := y.parse(data)
	if root == nil {
		return nil
	}
	f, ok := y.object(root, "", "rules")
	if !ok {
		return nil
	}
	set := map[string]RuleSetting{}
	for _, r := range mc.rules {
		set[r.ID] = r
	}
	for _, r := range y.meshRules(f) {
		if prev, dup := set[r.ID]; dup {
			ps.add(file, r.Line, "rules."+r.ID, "is also set in %s:%d; set each rule in one file", prev.File, prev.Line)
			continue
		}
		mc.rules = append(mc.rules, r)
	}
	return nil
}

// loadDescriptors decodes every descriptor of every domain folder, in
// folder and file name order.
func loadDescriptors(dir, baseDir string, mc *meshConfig, ps *problems) ([]*loadedProduct, error) {
	entries, err := os.ReadDir(dir) // sorted by name
	if err != nil {
		return nil, err
	}
	var out []*loadedProduct
	for _, e := range entries {
		if !e.IsDir() || skipName(e.Name()) {
			continue
		}
		folder := filepath.Join(dir, e.Name())
		files, err := descriptorFiles(folder)
		if err != nil {
			return nil, err
		}
		if len(files) == 0 {
			continue
		}
		if mc.domainNode != nil && mc.domainNode[e.Name()] == nil {
			ps.add(folder, 0, "", "folder holds descriptors but domain %q is not declared under domains in %s", e.Name(), MeshFile)
		}
		for _, name := range files {
			file := filepath.Join(folder, name)
			data, err := os.ReadFile(file)
			if err != nil {
				return nil, err
			}
			y := &yamlFile{file: file, ps: ps}
			root := y.parse(data)
			if root == nil {
				continue
			}
			c := descriptorContext{folder: e.Name(), base: name, baseDir: baseDir, roles: mc.roleSet, connections: mc.connections}
			if lp := y.product(root, c); lp != nil {
				out = append(out, lp)
			}
		}
	}
	return out, nil
}

// descriptorFiles lists the .yaml and .yml files directly in folder.
func descriptorFiles(folder string) ([]string, error) {
	entries, err := os.ReadDir(folder)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || skipName(n) {
			continue
		}
		if ext := filepath.Ext(n); ext == ".yaml" || ext == ".yml" {
			names = append(names, n)
		}
	}
	return names, nil
}

func skipName(n string) bool { return strings.HasPrefix(n, ".") || strings.HasPrefix(n, "_") }

// sortProducts orders products by domain, name, version.
func sortProducts(ps []*Product) {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if a.Domain != b.Domain {
			return a.Domain < b.Domain
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.Version < b.Version
	})
}

// checkCrossFile runs the checks that need every descriptor: duplicate
// versions and lineage inputs that resolve.
func checkCrossFile(m *Mesh, loaded []*loadedProduct) {
	first := map[string]*loadedProduct{}
	for _, lp := range loaded {
		q := lp.p.QualifiedName()
		if prev, dup := first[q]; dup {
			lp.y.problem(lp.versionNode, "version", "%s is also defined in %s", q, prev.p.File)
			continue
		}
		first[q] = lp
	}
	for _, lp := range loaded {
		for i, in := range lp.p.Inputs {
			schema, name, ok := splitQualified(in)
			if !ok {
				continue // reported while decoding
			}
			if _, found := m.Lookup(schema, name); !found {
				msg := "product %q does not exist in this mesh"
				if s := m.Suggest(in, 1); len(s) > 0 {
					lp.y.problem(lp.inputNodes[i], inputPath(i), msg+" (did you mean %q?)", in, s[0])
					continue
				}
				lp.y.problem(lp.inputNodes[i], inputPath(i), msg, in)
			}
		}
	}
}

func inputPath(i int) string { return "inputs[" + strconv.Itoa(i) + "]" }

// checkAccessTypes reports a mesh-wide round mask that matches a column it
// cannot round (not a number, date or timestamp): every query of that
// product would fail, so the mesh fails to load instead, naming the rule.
func checkAccessTypes(m *Mesh, ps *problems) {
	for i, r := range m.Access {
		if r.Mask != "round" {
			continue
		}
		for _, p := range m.Products {
			for _, c := range p.Columns {
				if r.Matches(c) && !c.Type.IsNumeric() && !c.Type.IsTemporal() {
					ps.add(r.File, r.Line, "access["+strconv.Itoa(i)+"].mask",
						"round masks numbers, dates and timestamps, but the rule matches column %s of %s (%s)", c.Name, p.QualifiedName(), c.Type)
				}
			}
		}
	}
}
