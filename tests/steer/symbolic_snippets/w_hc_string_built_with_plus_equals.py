letters = ["c", "a", "b", "a"]
answer = ""
for ch in letters:
    answer += ch
print(f"<<<{answer}>>>")
