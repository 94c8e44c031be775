s = input_string = 'abcabc'
count = s.count('a')
print(count)