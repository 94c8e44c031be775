final = 'ABCD'
print(f'Answer: <<<{final.lower()}>>>')