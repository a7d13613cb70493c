package sqltypes

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// pgEncodings maps PostgreSQL's encoding names and aliases (its
// encnames.c), cleaned as pg_char_to_encoding cleans them (letters and
// digits only, lower case), to the canonical name PostgreSQL reports.
var pgEncodings = map[string]string{
	"abc": "WIN1258", "alt": "WIN866", "big5": "BIG5", "euccn": "EUC_CN",
	"eucjis2004": "EUC_JIS_2004", "eucjp": "EUC_JP", "euckr": "EUC_KR", "euctw": "EUC_TW",
	"gb18030": "GB18030", "gbk": "GBK",
	"iso88591": "LATIN1", "iso88592": "LATIN2", "iso88593": "LATIN3", "iso88594": "LATIN4",
	"iso88595": "ISO_8859_5", "iso88596": "ISO_8859_6", "iso88597": "ISO_8859_7", "iso88598": "ISO_8859_8",
	"iso88599": "LATIN5", "iso885910": "LATIN6", "iso885913": "LATIN7", "iso885914": "LATIN8",
	"iso885915": "LATIN9", "iso885916": "LATIN10",
	"johab": "JOHAB", "koi8": "KOI8R", "koi8r": "KOI8R", "koi8u": "KOI8U",
	"latin1": "LATIN1", "latin2": "LATIN2", "latin3": "LATIN3", "latin4": "LATIN4", "latin5": "LATIN5",
	"latin6": "LATIN6", "latin7": "LATIN7", "latin8": "LATIN8", "latin9": "LATIN9", "latin10": "LATIN10",
	"mskanji": "SJIS", "muleinternal": "MULE_INTERNAL", "shiftjis": "SJIS", "shiftjis2004": "SHIFT_JIS_2004",
	"sjis": "SJIS", "sqlascii": "SQL_ASCII", "tcvn": "WIN1258", "tcvn5712": "WIN1258", "uhc": "UHC",
	"unicode": "UTF8", "utf8": "UTF8", "vscii": "WIN1258", "win": "WIN1251",
	"win1250": "WIN1250", "win1251": "WIN1251", "win1252": "WIN1252", "win1253": "WIN1253", "win1254": "WIN1254",
	"win1255": "WIN1255", "win1256": "WIN1256", "win1257": "WIN1257", "win1258": "WIN1258",
	"win866": "WIN866", "win874": "WIN874", "win932": "SJIS", "win936": "GBK", "win949": "UHC", "win950": "BIG5",
	"windows1250": "WIN1250", "windows1251": "WIN1251", "windows1252": "WIN1252", "windows1253": "WIN1253",
	"windows1254": "WIN1254", "windows1255": "WIN1255", "windows1256": "WIN1256", "windows1257": "WIN1257",
	"windows1258": "WIN1258", "windows866": "WIN866", "windows874": "WIN874", "windows932": "SJIS",
	"windows936": "GBK", "windows949": "UHC", "windows950": "BIG5",
}

// EncodingName is the canonical name of a PostgreSQL encoding name or
// alias ("utf-8" and "unicode" are UTF8, "iso-8859-1" LATIN1), as
// PostgreSQL's pg_char_to_encoding reads it; ok is false for a name
// PostgreSQL does not know.
func EncodingName(name string) (canonical string, ok bool) {
	var b strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case r >= 'A' && r <= 'Z':
			b.WriteRune(r + 'a' - 'A')
		}
	}
	canonical, ok = pgEncodings[b.String()]
	return canonical, ok
}

// singleByte are the charmaps of PostgreSQL's single-byte encodings.
var singleByte = map[string]*charmap.Charmap{
	"LATIN1": charmap.ISO8859_1, "LATIN2": charmap.ISO8859_2, "LATIN3": charmap.ISO8859_3,
	"LATIN4": charmap.ISO8859_4, "LATIN5": charmap.ISO8859_9, "LATIN6": charmap.ISO8859_10,
	"LATIN7": charmap.ISO8859_13, "LATIN8": charmap.ISO8859_14, "LATIN9": charmap.ISO8859_15,
	"LATIN10": charmap.ISO8859_16, "ISO_8859_5": charmap.ISO8859_5, "ISO_8859_6": charmap.ISO8859_6,
	"ISO_8859_7": charmap.ISO8859_7, "ISO_8859_8": charmap.ISO8859_8,
	"WIN1250": charmap.Windows1250, "WIN1251": charmap.Windows1251, "WIN1252": charmap.Windows1252,
	"WIN1253": charmap.Windows1253, "WIN1254": charmap.Windows1254, "WIN1255": charmap.Windows1255,
	"WIN1256": charmap.Windows1256, "WIN1257": charmap.Windows1257, "WIN1258": charmap.Windows1258,
	"WIN866": charmap.CodePage866, "WIN874": charmap.Windows874,
	"KOI8R": charmap.KOI8R, "KOI8U": charmap.KOI8U,
}

// SingleByteEncoding reports whether AppendEncoded converts to enc, a
// canonical encoding name.
func SingleByteEncoding(enc string) bool { return singleByte[enc] != nil }

// SingleByteCharmap is the charmap of enc, a canonical single-byte
// encoding name; nil for any other encoding.
func SingleByteCharmap(enc string) *charmap.Charmap { return singleByte[enc] }

// AppendEncoded appends UTF-8 text s converted to enc, a single-byte
// encoding (SingleByteEncoding). A character enc lacks is PostgreSQL's
// 22P05, naming its UTF-8 bytes.
func AppendEncoded(dst, s []byte, enc string) ([]byte, error) {
	m := singleByte[enc]
	for i := 0; i < len(s); {
		if s[i] < utf8.RuneSelf {
			dst = append(dst, s[i])
			i++
			continue
		}
		r, n := utf8.DecodeRune(s[i:])
		b, ok := m.EncodeRune(r)
		if !ok && r >= 0x80 && r <= 0x9f && isoC1[enc] {
			b, ok = byte(r), true
		}
		if !ok || r == utf8.RuneError {
			var hex []string
			for _, c := range s[i : i+n] {
				hex = append(hex, fmt.Sprintf("0x%02x", c))
			}
			return dst, New(CodeUntranslatableCharacter, "character with byte sequence %s in encoding \"UTF8\" has no equivalent in encoding \"%s\"", strings.Join(hex, " "), enc)
		}
		dst = append(dst, b)
		i += n
	}
	return dst, nil
}

// isoC1 are the ISO 8859 encodings whose bytes 0x80 to 0x9F are the C1
// controls U+0080 to U+009F, as PostgreSQL maps them (x/text's tables
// leave them out for some).
var isoC1 = map[string]bool{
	"LATIN1": true, "LATIN2": true, "LATIN3": true, "LATIN4": true, "LATIN5": true,
	"LATIN6": true, "LATIN7": true, "LATIN8": true, "LATIN9": true, "LATIN10": true,
	"ISO_8859_5": true, "ISO_8859_6": true, "ISO_8859_7": true, "ISO_8859_8": true,
}

// AppendDecoded appends text s in enc, a single-byte encoding
// (SingleByteEncoding), to dst as UTF-8: what PostgreSQL does to what a
// client sends in its client_encoding. A byte enc leaves undefined is
// PostgreSQL's 22P05; a NUL byte its 22021.
func AppendDecoded(dst, s []byte, enc string) ([]byte, error) {
	m := singleByte[enc]
	for _, c := range s {
		switch {
		case c == 0:
			return dst, New(CodeCharacterNotInRepertoire, "invalid byte sequence for encoding \"%s\": 0x00", enc)
		case c < utf8.RuneSelf:
			dst = append(dst, c)
			continue
		}
		r := m.DecodeByte(c)
		if r == utf8.RuneError {
			if c > 0x9f || !isoC1[enc] {
				return dst, New(CodeUntranslatableCharacter, "character with byte sequence 0x%02x in encoding \"%s\" has no equivalent in encoding \"UTF8\"", c, enc)
			}
			r = rune(c)
		}
		dst = utf8.AppendRune(dst, r)
	}
	return dst, nil
}
