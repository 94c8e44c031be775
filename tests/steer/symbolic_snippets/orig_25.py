import itertools
perms = list(itertools.permutations([1,2,3]))
print('<<<[1, 2, 3]>>>')