answer = 24
print(f'<<<{answer}>>>')