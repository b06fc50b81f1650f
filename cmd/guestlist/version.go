package main

import (
	"fmt"
	"runtime/debug"
	"strings"
)

// versionCmd prints what this binary was built from, so an operator can
// tell which release and commit is running before an upgrade or a report.
type versionCmd struct{}

func (versionCmd) Run() error {
	fmt.Print(versionText(debug.ReadBuildInfo()))
	return nil
}

// versionText is the module version, the VCS revision and time the go
// command stamped into the binary (-buildvcs), and the Go version. Without
// build information (it is always there in a binary built by go build) it
// says so rather than guessing.
func versionText(bi *debug.BuildInfo, ok bool) string {
	if !ok || bi == nil {
		return "guestlist: no build information in this binary\n"
	}
	settings := map[string]string{}
	for _, s := range bi.Settings {
		settings[s.Key] = s.Value
	}
	var b strings.Builder
	version := bi.Main.Version
	if version == "" {
		version = "(devel)"
	}
	fmt.Fprintf(&b, "guestlist %s\n", version)
	if rev := settings["vcs.revision"]; rev != "" {
		if settings["vcs.modified"] == "true" {
			rev += " (modified)"
		}
		fmt.Fprintf(&b, "revision: %s\n", rev)
	} else {
		b.WriteString("revision: unknown (built without version control information)\n")
	}
	if t := settings["vcs.time"]; t != "" {
		fmt.Fprintf(&b, "revision time: %s\n", t)
	}
	fmt.Fprintf(&b, "go: %s\n", bi.GoVersion)
	return b.String()
}

// shortVersion is the version and abbreviated revision on one line, for
// the startup log.
func shortVersion(bi *debug.BuildInfo, ok bool) string {
	if !ok || bi == nil {
		return "unknown"
	}
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " " + s.Value[:12]
		}
	}
	return v + " " + bi.GoVersion
}
