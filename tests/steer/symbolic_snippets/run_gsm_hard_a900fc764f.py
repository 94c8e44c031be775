def compute_answer(answer):
    answer = 465 * (1 + 1/2) // 2
    return answer

answer = compute_answer(1234567)
print(f"The answer is: {answer}")
