s = "bcaabbcaab"
changed = True
while changed:
    changed = False
    if s.startswith("bca"):
        s = s[3:]
        changed = True
    elif s.endswith("aa"):
        s = s[:-1]
        changed = True
    elif "abc" in s:
        s = s.replace("abc", "cab", 1)
        changed = True
print(f"<<<{s}>>>")
