vals = {}
for k in 'abc':
    vals[k] = ord(k)
print(vals)