package sqltypes

import "time"

// The table below is PostgreSQL 15's timezonesets/Default, the default
// timezone_abbreviations set, transcribed entry for entry.

// zoneAbbrev resolves a time zone abbreviation of PostgreSQL's default
// set (lower case): a fixed offset in seconds east of UTC, or the IANA
// zone whose offset at the time in question it stands for (zone != "").
func zoneAbbrev(a string) (off int, zone string, ok bool) {
	switch a {
	case "eat", "idt", "eest", "eetdst", "fet":
		return 10800, "", true
	case "sast", "ist", "bdst", "cest", "cetdst", "eet", "mest", "mesz", "metdst":
		return 7200, "", true
	case "wat", "bst", "cet", "met", "mez", "wetdst":
		return 3600, "", true
	case "act", "cot", "cdt", "est", "pet":
		return -18000, "", true
	case "akdt", "pst":
		return -28800, "", true
	case "akst", "gamt":
		return -32400, "", true
	case "art", "arst":
		return 0, "America/Argentina/Buenos_Aires", true
	case "bot", "edt", "amt", "ast":
		return -14400, "", true
	case "bra", "brt", "clst", "gft", "pmst", "pyst", "uyt", "wgt", "adt":
		return -10800, "", true
	case "brst", "fnt", "pmdt", "uyst", "wgst":
		return -7200, "", true
	case "clt":
		return 0, "America/Santiago", true
	case "cst", "mdt", "galt":
		return -21600, "", true
	case "egst", "azost", "gmt", "uct", "ut", "utc", "z", "zulu", "wet":
		return 0, "", true
	case "egt", "fnst", "azot":
		return -3600, "", true
	case "gyt":
		return 0, "America/Guyana", true
	case "mst", "pdt":
		return -25200, "", true
	case "ndt":
		return -9000, "", true
	case "nft", "nst":
		return -12600, "", true
	case "pyt":
		return 0, "America/Asuncion", true
	case "vet":
		return 0, "America/Caracas", true
	case "davt":
		return 0, "Antarctica/Davis", true
	case "ddut", "kdt", "aest", "ligt", "chut", "mpt", "pgt", "trut", "yapt":
		return 36000, "", true
	case "mawt":
		return 0, "Antarctica/Mawson", true
	case "aft":
		return 16200, "", true
	case "almt", "bdt", "btt", "kgst", "pkst", "uzst", "xjt", "yekst":
		return 21600, "", true
	case "almst", "ict", "wast", "cxt":
		return 25200, "", true
	case "amst":
		return 0, "Asia/Yerevan", true
	case "anast", "anat":
		return 0, "Asia/Anadyr", true
	case "azst", "azt":
		return 0, "Asia/Baku", true
	case "bnt", "bort", "cct", "hkt", "myt", "pht", "awst", "wadt":
		return 28800, "", true
	case "gest", "get":
		return 0, "Asia/Tbilisi", true
	case "irkst", "irkt":
		return 0, "Asia/Irkutsk", true
	case "irt":
		return 12600, "", true
	case "jayt", "jst", "kst", "ulast", "awsst", "wdt", "pwt":
		return 32400, "", true
	case "kgt":
		return 0, "Asia/Bishkek", true
	case "krast", "krat":
		return 0, "Asia/Krasnoyarsk", true
	case "lkt":
		return 0, "Asia/Colombo", true
	case "magst", "magt":
		return 0, "Asia/Magadan", true
	case "mmt":
		return 23400, "", true
	case "novst", "novt":
		return 0, "Asia/Novosibirsk", true
	case "npt":
		return 20700, "", true
	case "omsst", "omst":
		return 0, "Asia/Omsk", true
	case "petst", "pett":
		return 0, "Asia/Kamchatka", true
	case "pkt", "tjt", "uzt", "must", "mvt", "tft":
		return 18000, "", true
	case "sgt":
		return 0, "Asia/Singapore", true
	case "tmt":
		return 0, "Asia/Ashgabat", true
	case "ulat":
		return 0, "Asia/Ulaanbaatar", true
	case "vlast", "vlat":
		return 0, "Asia/Vladivostok", true
	case "yakst", "yakt":
		return 0, "Asia/Yakutsk", true
	case "yekt":
		return 0, "Asia/Yekaterinburg", true
	case "fkst", "fkt":
		return 0, "Atlantic/Stanley", true
	case "acsst", "acdt", "cadt", "lhst", "sadt":
		return 37800, "", true
	case "acst", "cast":
		return 34200, "", true
	case "acwst":
		return 31500, "", true
	case "aesst", "aedt", "pont", "vut":
		return 39600, "", true
	case "lhdt":
		return 0, "Australia/Lord_Howe", true
	case "nzt", "fjt", "gilt", "mht", "nzst", "tvt", "wakt", "wft":
		return 43200, "", true
	case "msd", "mut", "ret", "sct":
		return 14400, "", true
	case "msk":
		return 0, "Europe/Moscow", true
	case "volt":
		return 0, "Europe/Volgograd", true
	case "iot":
		return 0, "Indian/Chagos", true
	case "chadt":
		return 49500, "", true
	case "chast":
		return 45900, "", true
	case "ckt":
		return 0, "Pacific/Rarotonga", true
	case "easst", "east":
		return 0, "Pacific/Easter", true
	case "fjst", "nzdt", "tot":
		return 46800, "", true
	case "hst", "taht":
		return -36000, "", true
	case "kost":
		return 0, "Pacific/Kosrae", true
	case "lint":
		return 0, "Pacific/Kiritimati", true
	case "mart":
		return -34200, "", true
	case "nut":
		return 0, "Pacific/Niue", true
	case "tkt":
		return 0, "Pacific/Fakaofo", true
	}
	return 0, "", false
}

// abbrevLocation is the location of a zone abbreviation: a fixed zone
// named by the abbreviation, or its IANA zone.
func abbrevLocation(a string) (*time.Location, bool) {
	off, zone, ok := zoneAbbrev(a)
	if !ok {
		return nil, false
	}
	if zone != "" {
		l, err := time.LoadLocation(zone)
		return l, err == nil
	}
	return time.FixedZone(a, off), true
}
