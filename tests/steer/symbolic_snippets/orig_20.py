result = '(8 / (3 - 8 / 3))'
print('<<<' + result + '>>>')