s = "ABCDEABCD"
rules = {"ABCD": "A", "BCDE": "B", "CDEA": "C", "DEAB": "D", "EABC": "E"}
out = []
i = 0
while i < len(s):
    out.append(s[i])
    window = s[i:i + 4]
    if window in rules:
        out.append(s[i + 1:i + 4])
        out.append(rules[window])
        i += 4
        continue
    i += 1
print("<<<" + "".join(out) + ">>>")
