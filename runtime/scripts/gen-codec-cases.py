"""Writes runtime/test/engine/fixtures/codec-cases.json: what Python's str.encode and
bytes.decode give for edge cases of the codecs the runtime codes (text-codecs.ts). Run with
python3 when the cases change; the output is committed, so the tests need no Python."""
import json
import pathlib

TEXTS = ['plain ascii, "quoted"', 'Ærøskøbing €5 – “x”', 'ę and ŉ', 'emoji \U0001F600 end', 'lone \ud800 surrogate',
         'Привет', 'שלום', 'ß ﬁ', '\x81\x8d\x9d', '\u00a0\u00ff\u0100']
CODECS = ['utf-8', 'UTF8', 'utf-8-sig', 'utf-16', 'utf_16_le', 'UTF-16BE', 'utf-32', 'utf-32-be', 'ascii', 'US-ASCII',
          'latin-1', 'ISO-8859-1', 'windows-1252', 'cp1252', 'cp1250', 'cp1251', 'iso8859_15', 'ISO 8859-5', 'koi8-r',
          'mac_roman', 'cp437', 'cp866', 'cp874', 'iso8859_8']
ERRORS = ['strict', 'ignore', 'replace', 'xmlcharrefreplace', 'backslashreplace']

encode = []
for codec in CODECS:
    for text in TEXTS:
        for errors in ERRORS:
            try:
                out = {'hex': text.encode(codec, errors).hex()}
            except UnicodeEncodeError as e:
                out = {'error': e.start}
            encode.append({'text': text, 'encoding': codec, 'errors': errors, **out})

BYTES = [bytes(range(0x20, 0x7f)), bytes(range(0x80, 0x100)), b'abc\x80\x81\x8d\x8f\x90\x9d\xff']
decode = []
for codec in ['ascii', 'latin-1', 'cp1252', 'cp1250', 'cp1253', 'cp874', 'iso8859_3', 'iso8859_8', 'koi8_u', 'mac-roman', 'cp850']:
    for data in BYTES:
        for errors in ['strict', 'replace']:
            try:
                out = {'text': data.decode(codec, errors)}
            except UnicodeDecodeError as e:
                out = {'error': e.start}
            decode.append({'hex': data.hex(), 'encoding': codec, 'errors': errors, **out})

out = pathlib.Path(__file__).resolve().parent.parent / 'test' / 'engine' / 'fixtures' / 'codec-cases.json'
out.write_text(json.dumps({'encode': encode, 'decode': decode}, indent=1, ensure_ascii=True) + '\n')
print(out, len(encode), len(decode))
