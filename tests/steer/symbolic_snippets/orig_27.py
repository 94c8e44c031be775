# format the answer
ans = """<<<A>>>"""
print(ans)