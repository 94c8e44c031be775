r = list(reversed('abc'))
print(''.join(r))