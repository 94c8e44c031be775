word = "bookkeeper"
freq = {ch: word.count(ch) for ch in set(word)}
most = max(freq, key=freq.get)
print(f"<<<{most}:{freq[most]}>>>")
