package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/meshql/meshql/catalog/scram"
)

// runPasswd is `meshql passwd`: it reads a password and prints its
// SCRAM-SHA-256 verifier in PostgreSQL's format, to paste into mesh.yaml's
// users (password: "SCRAM-SHA-256$4096:…") so that no plain password is
// stored. The password comes from the terminal without echo (asked twice),
// or with --password-stdin from the first line of stdin.
func runPasswd(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("meshql passwd", flag.ContinueOnError)
	fs.SetOutput(stderr)
	user := fs.String("user", "", "print a mesh.yaml users entry for this user instead of the bare verifier")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of stdin")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		if fs.NArg() > 0 {
			fmt.Fprintln(stderr, "meshql passwd takes no arguments; the password is read, never given on the command line")
		}
		return errUsage
	}
	var password string
	var err error
	if *fromStdin {
		password, err = readLine(stdin)
	} else {
		password, err = promptTwice(stderr)
	}
	if err != nil {
		return err
	}
	if password == "" {
		return errors.New("passwd: empty password")
	}
	v, err := scram.New(password)
	if err != nil {
		return fmt.Errorf("passwd: %w", err)
	}
	if *user != "" {
		fmt.Fprintf(stdout, "%s:\n  password: %q\n", *user, v.String())
		return nil
	}
	fmt.Fprintln(stdout, v.String())
	return nil
}

// readLine returns the first line of r without its line ending.
func readLine(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return "", fmt.Errorf("passwd: reading the password from stdin: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// promptTwice asks for the password on the terminal, without echo, and
// for a confirmation.
func promptTwice(prompts io.Writer) (string, error) {
	fmt.Fprint(prompts, "Password: ")
	p1, err := readPasswordNoEcho(os.Stdin)
	fmt.Fprintln(prompts)
	if err != nil {
		return "", err
	}
	fmt.Fprint(prompts, "Again: ")
	p2, err := readPasswordNoEcho(os.Stdin)
	fmt.Fprintln(prompts)
	if err != nil {
		return "", err
	}
	if p1 != p2 {
		return "", errors.New("passwd: the passwords do not match")
	}
	return p1, nil
}
