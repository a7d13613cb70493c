package sqltypes

// macaddrCases: macaddr input and output of PostgreSQL 15 (want), or its
// SQLSTATE and message.
var macaddrCases = []struct{ in, want, err string }{
	{"08:00:2b:01:02:03", "08:00:2b:01:02:03", ""},
	{"08002b01020", "08:00:2b:01:02:00", ""},
	{"0x002b010203", "00:00:2b:01:02:03", ""},
	{"08: 00:2b:01:02:03", "08:00:2b:01:02:03", ""},
	{"08 :00:2b:01:02:03", "", "22P02 invalid input syntax for type macaddr: \"08 :00:2b:01:02:03\""},
	{"+8:00:2b:01:02:03", "08:00:2b:01:02:03", ""},
	{"-1:00:2b:01:02:03", "", "22003 invalid octet value in \"macaddr\" value: \"-1:00:2b:01:02:03\""},
	{"108:00:2b:01:02:03", "", "22003 invalid octet value in \"macaddr\" value: \"108:00:2b:01:02:03\""},
	{"0x08:00:2b:01:02:03", "08:00:2b:01:02:03", ""},
	{" 08:00:2b:01:02:03 ", "08:00:2b:01:02:03", ""},
	{"0800:2b01:0203", "", "22P02 invalid input syntax for type macaddr: \"0800:2b01:0203\""},
	{"08:00:2b:01:02", "", "22P02 invalid input syntax for type macaddr: \"08:00:2b:01:02\""},
	{"", "", "22P02 invalid input syntax for type macaddr: \"\""},
	{"x", "", "22P02 invalid input syntax for type macaddr: \"x\""},
	{"0800.2b01.0203", "08:00:2b:01:02:03", ""},
	{"08002b-010203", "08:00:2b:01:02:03", ""},
	{"08-00-2b-01-02-03", "08:00:2b:01:02:03", ""},
	{"0800-2b01-0203", "08:00:2b:01:02:03", ""},
	{"ff:ff:ff:ff:ff:ff", "ff:ff:ff:ff:ff:ff", ""},
	{"8:0:2b:1:2:3", "08:00:2b:01:02:03", ""},
	{"08:00:2b:01:02:03:04", "", "22P02 invalid input syntax for type macaddr: \"08:00:2b:01:02:03:04\""},
	{"0x:00:2b:01:02:03", "00:00:2b:01:02:03", ""},
	{"08:00:2b:01:02:0g", "", "22P02 invalid input syntax for type macaddr: \"08:00:2b:01:02:0g\""},
	{"ffffffffff:00:2b:01:02:03", "", "22003 invalid octet value in \"macaddr\" value: \"ffffffffff:00:2b:01:02:03\""},
	{"08002b:010203 x", "", "22P02 invalid input syntax for type macaddr: \"08002b:010203 x\""},
	{"\t08-00-2b-01-02-03\n", "08:00:2b:01:02:03", ""},
}
