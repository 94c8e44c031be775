candidates = ["abc", "abd", "acd"]
for c in candidates:
    if c.endswith("d") and c[1] == "c":
        print(f"<<<{c}>>>")
