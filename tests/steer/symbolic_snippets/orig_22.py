x = [1, 2, 3]
print('<<<{}>>>'.format(x))