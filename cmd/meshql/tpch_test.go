package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
)

func TestTPCHGenRejectsBadScaleFactors(t *testing.T) {
	for _, tc := range []struct{ sf, want string }{
		{"0", "not a positive integer"},
		{"-3", "not a positive integer"},
		{"0.01", "not a positive integer"},
		{"ten", "not a positive integer"},
		{"1001", "largest scale factor"},
	} {
		t.Run(tc.sf, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := runTPCH(context.Background(), []string{"gen", "--sf", tc.sf, "--out", t.TempDir()}, &out, &errOut)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestTPCHUsage(t *testing.T) {
	for _, args := range [][]string{nil, {"generate"}, {"gen", "extra"}, {"gen", "--bogus"}} {
		var out, errOut bytes.Buffer
		if err := runTPCH(context.Background(), args, &out, &errOut); !errors.Is(err, errUsage) {
			t.Errorf("%q: err = %v, want errUsage", args, err)
		}
		if !strings.Contains(errOut.String(), "meshql tpch gen") {
			t.Errorf("%q: no usage on stderr: %q", args, errOut.String())
		}
	}
}

func TestTPCHGenEnvScaleFactor(t *testing.T) {
	t.Setenv("MESHQL_TPCH_SF", "abc")
	var out, errOut bytes.Buffer
	err := runTPCH(context.Background(), []string{"gen", "--out", t.TempDir()}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), `"abc"`) {
		t.Fatalf("err = %v, want the environment's value rejected", err)
	}
}
