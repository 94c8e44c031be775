s = "AABBBCAAB"
scores = {"A": 1, "B": 2, "C": 3}
total = 0
run_char, run_len = None, 0
for ch in s:
    if ch == run_char:
        run_len += 1
    else:
        run_char, run_len = ch, 1
    total += scores[ch] * (2 if run_len >= 3 else 1)
print(f"<<<{total}>>>")
