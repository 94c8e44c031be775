words = 'a bb ccc'.split()
print(max(len(w) for w in words))