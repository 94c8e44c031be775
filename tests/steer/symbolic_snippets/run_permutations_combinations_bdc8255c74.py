def solve_board(board):
    result = ""
    for i in range(len(board)):
        for j in range(len(board[i])):
            if board[i][j] == 1:
                result += "A"
            elif board[i][j] == 2:
                result += "B"
            elif board[i][j] == 3:
                result += "C"
            elif board[i][j] == 4:
                result += "D"
            elif board[i][j] == 5:
                result += "E"
            elif board[i][j] == 6:
                result += "F"
            elif board[i][j] == 7:
                result += "G"
            elif board[i][j] == 8:
                result += "H"
    return result
